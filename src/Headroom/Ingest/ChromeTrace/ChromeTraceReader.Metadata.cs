using System.Text.Json;
using Headroom.Model;

namespace Headroom.Ingest.ChromeTrace;

internal sealed partial class ChromeTraceReader
{
    /// <summary>deviceProperties (or legacy computeProperties): an array of small objects, parsed as one unit.</summary>
    private Unit ParseDeviceProperties(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return reader.TrySkip() ? Unit.Complete : Unit.NeedMore;
        }

        var devices = new List<DeviceInfo>();
        while (true)
        {
            if (!reader.Read())
            {
                return Unit.NeedMore;
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                if (!reader.TrySkip())
                {
                    return Unit.NeedMore;
                }

                continue;
            }

            int id = devices.Count, sms = 0, major = -1, minor = -1;
            string name = "", arch = "";
            long memory = 0;
            while (true)
            {
                if (!reader.Read())
                {
                    return Unit.NeedMore;
                }

                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                var key = reader.GetString();
                if (!reader.Read() || !reader.TrySkip())
                {
                    return Unit.NeedMore;
                }

                switch (key)
                {
                    case "id":
                        id = (int)Math.Clamp(Integer(ref reader, id), int.MinValue, int.MaxValue);
                        break;
                    case "name":
                        name = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : name;
                        break;
                    case "totalGlobalMem":
                        memory = Integer(ref reader, 0);
                        break;
                    case "computeMajor":
                        major = (int)Integer(ref reader, -1);
                        break;
                    case "computeMinor":
                        minor = (int)Integer(ref reader, -1);
                        break;
                    case "numSms":
                        sms = (int)Integer(ref reader, 0);
                        break;
                    case "gcnArchName":
                        arch = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : arch;
                        break;
                    default:
                        break;
                }
            }

            var capability = arch.Length > 0 ? arch : major >= 0 ? $"{major}.{Math.Max(minor, 0)}" : "";
            devices.Add(new DeviceInfo(id, name, memory, capability, sms));
        }

        _devices.Clear();
        _devices.AddRange(devices);
        return Unit.Complete;
    }

    /// <summary>distributedInfo: one small object, parsed as one unit.</summary>
    private Unit ParseDistributedInfo(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return reader.TrySkip() ? Unit.Complete : Unit.NeedMore;
        }

        string backend = "", nccl = "";
        int? rank = null, worldSize = null, pgCount = null;
        var groups = new List<ProcessGroupInfo>();
        while (true)
        {
            if (!reader.Read())
            {
                return Unit.NeedMore;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var key = reader.GetString();
            if (!reader.Read())
            {
                return Unit.NeedMore;
            }

            if (key == "pg_config" && reader.TokenType == JsonTokenType.StartArray)
            {
                if (!ReadProcessGroups(ref reader, groups))
                {
                    return Unit.NeedMore;
                }

                continue;
            }

            if (!reader.TrySkip())
            {
                return Unit.NeedMore;
            }

            switch (key)
            {
                case "backend":
                    backend = Text(ref reader);
                    break;
                case "rank":
                    rank = OptionalInt(ref reader);
                    break;
                case "world_size":
                    worldSize = OptionalInt(ref reader);
                    break;
                case "pg_count":
                    pgCount = OptionalInt(ref reader);
                    break;
                case "nccl_version":
                    nccl = Text(ref reader);
                    break;
                default:
                    break;
            }
        }

        _distributed = new DistributedInfo(backend, rank, worldSize, pgCount, nccl, groups);
        return Unit.Complete;
    }

    private static bool ReadProcessGroups(ref Utf8JsonReader reader, List<ProcessGroupInfo> groups)
    {
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return true;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                if (!reader.TrySkip())
                {
                    return false;
                }

                continue;
            }

            string name = "", description = "", backendConfig = "";
            var size = 0;
            var ranks = new List<int>();
            while (true)
            {
                if (!reader.Read())
                {
                    return false;
                }

                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                var key = reader.GetString();
                if (!reader.Read())
                {
                    return false;
                }

                if (key == "ranks" && reader.TokenType == JsonTokenType.StartArray)
                {
                    while (true)
                    {
                        if (!reader.Read())
                        {
                            return false;
                        }

                        if (reader.TokenType == JsonTokenType.EndArray)
                        {
                            break;
                        }

                        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var r))
                        {
                            ranks.Add(r);
                        }
                        else if (!reader.TrySkip())
                        {
                            return false;
                        }
                    }

                    continue;
                }

                if (!reader.TrySkip())
                {
                    return false;
                }

                switch (key)
                {
                    case "pg_name":
                        name = Text(ref reader);
                        break;
                    case "pg_desc":
                        description = Text(ref reader);
                        break;
                    case "backend_config":
                        backendConfig = Text(ref reader);
                        break;
                    case "pg_size":
                        size = OptionalInt(ref reader) ?? 0;
                        break;
                    default:
                        break;
                }
            }

            groups.Add(new ProcessGroupInfo(name, description, backendConfig, size, ranks));
        }
    }

    private static string Text(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString() ?? "",
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        _ => "",
    };

    private static int? OptionalInt(ref Utf8JsonReader reader)
    {
        var v = Integer(ref reader, long.MinValue);
        return v == long.MinValue ? null : (int)Math.Clamp(v, int.MinValue, int.MaxValue);
    }
}
