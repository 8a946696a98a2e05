using System.Text;
using Headroom.Costs;

namespace Headroom.Ingest.XPlane;

/// <summary>
/// Reads an <c>xla.HloProto</c> (the "Hlo Proto" stat of the <c>/host:metadata</c> plane, or a <c>*.hlo_proto.pb</c>
/// file) with <see cref="ProtoReader"/>: no generated classes. Field numbers (xla/service/hlo.proto, xla/xla_data.proto,
/// checked against the shared traces' bytes): HloProto.hlo_module = 1; HloModuleProto name = 1,
/// entry_computation_name = 2, computations = 3, id = 5; HloComputationProto name = 1, instructions = 2, id = 5,
/// root_id = 6; HloInstructionProto name = 1, opcode = 2, shape = 3, fusion_kind = 11,
/// convolution_dimension_numbers = 16, custom_call_target = 28, dot_dimension_numbers = 30, id = 35, operand_ids = 36,
/// called_computation_ids = 38, backend_config = 43; ShapeProto element_type = 2, dimensions = 3, tuple_shapes = 4;
/// DotDimensionNumbers lhs_contracting_dimensions = 1; ConvolutionDimensionNumbers (xla_data.proto)
/// kernel_input_feature_dimension = 3, kernel_output_feature_dimension = 4, kernel_spatial_dimensions = 6,
/// input_batch_dimension = 7, input_feature_dimension = 8, output_batch_dimension = 9, output_feature_dimension = 10,
/// input_spatial_dimensions = 11, output_spatial_dimensions = 12. Repeated integers are read packed or not.
/// </summary>
internal static class HloProtoReader
{
    private const int MaxShapeDepth = 8;

    /// <summary>The module of an <c>HloProto</c>; throws <see cref="ProtoFormatException"/> on malformed bytes.</summary>
    public static HloModule Read(ReadOnlySpan<byte> hloProto)
    {
        var r = new ProtoReader(hloProto);
        HloModule? module = null;
        while (r.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                module = Module(r.ReadBytes());
            }
            else
            {
                r.Skip(wire);
            }
        }

        return module ?? throw new ProtoFormatException("an HloProto without hlo_module");
    }

    private static HloModule Module(ReadOnlySpan<byte> data)
    {
        string name = "", entry = "";
        long id = 0;
        var computations = new List<HloComputation>();
        var r = new ProtoReader(data);
        while (r.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.LengthDelimited):
                    name = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case (2, WireType.LengthDelimited):
                    entry = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case (3, WireType.LengthDelimited):
                    computations.Add(Computation(r.ReadBytes()));
                    break;
                case (5, WireType.Varint):
                    id = r.ReadInt64();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new HloModule(name, id, entry, computations);
    }

    private static HloComputation Computation(ReadOnlySpan<byte> data)
    {
        var name = "";
        long id = 0, root = 0;
        var instructions = new List<HloInstruction>();
        var r = new ProtoReader(data);
        while (r.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.LengthDelimited):
                    name = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case (2, WireType.LengthDelimited):
                    instructions.Add(Instruction(r.ReadBytes()));
                    break;
                case (5, WireType.Varint):
                    id = r.ReadInt64();
                    break;
                case (6, WireType.Varint):
                    root = r.ReadInt64();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new HloComputation(name, id, root, instructions);
    }

    private static HloInstruction Instruction(ReadOnlySpan<byte> data)
    {
        string name = "", opcode = "", fusionKind = "", target = "", config = "", opName = "";
        long id = 0;
        HloConvolutionDimensions? convolution = null;
        var shape = new HloShape("", [], []);
        var operands = new List<long>();
        var called = new List<long>();
        var contracting = new List<long>();
        var r = new ProtoReader(data);
        while (r.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.LengthDelimited):
                    name = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case (2, WireType.LengthDelimited):
                    opcode = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case (3, WireType.LengthDelimited):
                    shape = Shape(r.ReadBytes(), 0);
                    break;
                case (7, WireType.LengthDelimited):
                    opName = ProtoReader.FirstString(r.ReadBytes(), 2); // OpMetadata.op_name: the framework op
                    break;
                case (11, WireType.LengthDelimited):
                    fusionKind = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case (16, WireType.LengthDelimited):
                    convolution = ConvolutionDimensions(r.ReadBytes());
                    break;
                case (28, WireType.LengthDelimited):
                    target = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case (30, WireType.LengthDelimited):
                    LhsContracting(r.ReadBytes(), contracting);
                    break;
                case (35, WireType.Varint):
                    id = r.ReadInt64();
                    break;
                case (36, _):
                    Integers(ref r, wire, operands);
                    break;
                case (38, _):
                    Integers(ref r, wire, called);
                    break;
                case (43, WireType.LengthDelimited):
                    config = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new HloInstruction(name, opcode, id, shape, operands, called, contracting, convolution?.KernelOutputFeature ?? -1, fusionKind,
            target, config, convolution)
        { OpName = opName };
    }


    private static HloShape Shape(ReadOnlySpan<byte> data, int depth)
    {
        if (depth > MaxShapeDepth)
        {
            throw new ProtoFormatException("a shape nested too deep");
        }

        long type = 0;
        var dims = new List<long>();
        var tuple = new List<HloShape>();
        var r = new ProtoReader(data);
        while (r.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (2, WireType.Varint):
                    type = r.ReadInt64();
                    break;
                case (3, _):
                    Integers(ref r, wire, dims);
                    break;
                case (4, WireType.LengthDelimited):
                    tuple.Add(Shape(r.ReadBytes(), depth + 1));
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new HloShape(HloShape.TypeName(type), dims, tuple);
    }

    private static void LhsContracting(ReadOnlySpan<byte> data, List<long> into)
    {
        var r = new ProtoReader(data);
        while (r.TryReadTag(out var field, out var wire))
        {
            if (field == 1)
            {
                Integers(ref r, wire, into);
            }
            else
            {
                r.Skip(wire);
            }
        }
    }

    private static HloConvolutionDimensions ConvolutionDimensions(ReadOnlySpan<byte> data)
    {
        // proto3 defaults: an absent dimension number is dimension 0
        long inputBatch = 0, inputFeature = 0, kernelInputFeature = 0, kernelOutputFeature = 0, outputBatch = 0, outputFeature = 0;
        List<long> inputSpatial = [], kernelSpatial = [], outputSpatial = [];
        var r = new ProtoReader(data);
        while (r.TryReadTag(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (3, WireType.Varint):
                    kernelInputFeature = r.ReadInt64();
                    break;
                case (4, WireType.Varint):
                    kernelOutputFeature = r.ReadInt64();
                    break;
                case (6, _):
                    Integers(ref r, wire, kernelSpatial);
                    break;
                case (7, WireType.Varint):
                    inputBatch = r.ReadInt64();
                    break;
                case (8, WireType.Varint):
                    inputFeature = r.ReadInt64();
                    break;
                case (9, WireType.Varint):
                    outputBatch = r.ReadInt64();
                    break;
                case (10, WireType.Varint):
                    outputFeature = r.ReadInt64();
                    break;
                case (11, _):
                    Integers(ref r, wire, inputSpatial);
                    break;
                case (12, _):
                    Integers(ref r, wire, outputSpatial);
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new HloConvolutionDimensions(inputBatch, inputFeature, inputSpatial, kernelInputFeature, kernelOutputFeature, kernelSpatial,
            outputBatch, outputFeature, outputSpatial);
    }

    /// <summary>A repeated int64 field's values, packed (length-delimited) or one varint.</summary>
    private static void Integers(ref ProtoReader r, WireType wire, List<long> into)
    {
        if (wire == WireType.Varint)
        {
            into.Add(r.ReadInt64());
            return;
        }

        if (wire != WireType.LengthDelimited)
        {
            r.Skip(wire);
            return;
        }

        var packed = new ProtoReader(r.ReadBytes());
        while (packed.More)
        {
            into.Add(packed.ReadInt64());
        }
    }
}
