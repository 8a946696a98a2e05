using Headroom.Bench.Diff;
using Headroom.Bench.Sample;
using Headroom.Bench.Store;
using Headroom.Bench.Throughput;

return args.Length == 0 ? Usage() : args[0] switch
{
    "sample" => SampleCommand.Run(args[1..]),
    "throughput" => ThroughputCommand.Run(args[1..]),
    "measure" => MeasureCommand.Run(args[1..]),
    "replicate" => ReplicateCommand.Run(args[1..]),
    "ranks" => RanksCommand.Run(args[1..]),
    "diff" => DiffBenchCommand.Run(args[1..]),
    "store" => StoreBenchCommand.Run(args[1..]),
    "-h" or "--help" or "help" => Usage(),
    _ => Usage($"unknown verb '{args[0]}'"),
};

static int Usage(string? error = null)
{
    if (error is not null)
    {
        Console.Error.WriteLine(error);
    }

    Console.Error.WriteLine(
        """
        Headroom.Bench: sample traces and reader throughput.

          sample <outDir>
              Writes the synthetic 2-rank H100 training job (rank-0.pt.trace.json.gz, rank-1...) the README analyses.
          throughput [--size-mb 1000] [--source <trace.json[.gz]>] [--ranks 8] [--repeat 3] [--cache <dir>] [--out <results.md>]
              Builds (once, cached outside the repository) a ~1 GB Kineto trace by replicating a real one in time,
              then measures load + analyses, the reader alone, and tokenizing alone, each in a fresh child process.
          ranks [--ranks 32,64,128,256] [--rank-mb 50] [--repeat 1] [--modes pipeline,full] [--cache <dir>] [--straggler 37] [--delay-us 2000]
              Builds (once, cached outside the repository) 256 rank files from the 8 real DLRM ranks (clock offsets, one straggler),
              then measures the pipeline of `headroom analyze` on the first N of them, each size in a fresh child process.
          diff [--shapes 8x20x300,128x20x300] [--repeat 5]
              Times the run comparison of `headroom diff` (RunDiffAnalysis + JSON) on two synthetic comparable runs of
              RANKSxSTEPSxOPS (ranks, steps, op signatures per rank); prints a Markdown table.
          replicate --source <trace> --out <file.json> --size-mb <n> [--rank <r>]
              Only writes a replicated trace.
          store [--runs 10000] [--repeat 5] [--sample <dir>] [--hash <big trace>] [--keep] [--store <file>]
              Fills a temporary run store with N runs (the sample's real tables, copied) and times listing them all and
              loading two comparable runs (as 'headroom runs list' and a diff do); --hash also times SHA-256 of a big file.
          measure --mode full|pipeline|load|parse|tokenize|noop <path>...
              One measurement in this process; prints one JSON line (used by throughput).
        """);
    return error is null ? 0 : 2;
}
