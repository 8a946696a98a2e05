using System.Reflection;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests;

/// <summary>The documentation names every diagnostic code and every JSON field the code emits.</summary>
public sealed class DocumentationTests
{
    public static TheoryData<string> DiagnosticCodes()
    {
        var data = new TheoryData<string>();
        foreach (var f in typeof(DiagnosticCatalog).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            data.Add(((DiagnosticDescriptor)f.GetValue(null)!).Code);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DiagnosticCodes))]
    public void Every_diagnostic_code_is_documented(string code) =>
        Assert.Contains($"`{code}`", File.ReadAllText(RepositoryFiles.File("docs/diagnostics.md")));

    [Fact]
    public void Diagnostic_codes_are_unique() =>
        Assert.Equal(DiagnosticCodes().Count, DiagnosticCodes().Select(c => c.Data).Distinct().Count());
}
