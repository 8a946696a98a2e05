using Headroom.Costs;
using Xunit;

namespace Headroom.Tests.Costs;

/// <summary>One row per formula, each value worked by hand in the comment above it (see docs/cost-model.md).</summary>
public sealed class OpCostModelTests
{
    private const string Bf = "\"c10::BFloat16\"";
    private const string Fp = "\"float\"";

    public static TheoryData<string, string, string, string, double, long, long, string, ComputeUnit> Rows => new()
    {
        // mm [64,128]x[128,256] bf16: 2·64·128·256 = 4,194,304; read (64·128 + 128·256)·2 = 81,920; write 64·256·2 = 32,768
        { "aten::mm", "[[64,128],[128,256]]", $"[{Bf},{Bf}]", "", 4_194_304, 81_920, 32_768, "bf16", ComputeUnit.Matrix },
        // addmm bias[256] + [64,128]x[128,256] fp32: 4,194,304 + 64·256 = 4,210,688; read (256 + 8192 + 32768)·4 = 164,864; write 16384·4 = 65,536
        { "aten::addmm", "[[256],[64,128],[128,256],[],[]]", $"[{Fp},{Fp},{Fp},\"Scalar\",\"Scalar\"]", "[\"\",\"\",\"\",\"1\",\"1\"]", 4_210_688, 164_864, 65_536, "fp32", ComputeUnit.Matrix },
        // bmm [4,32,64]x[4,64,16] fp16: 2·4·32·64·16 = 262,144; read (8192 + 4096)·2 = 24,576; write 4·32·16·2 = 4,096
        { "aten::bmm", "[[4,32,64],[4,64,16]]", "[\"c10::Half\",\"c10::Half\"]", "", 262_144, 24_576, 4_096, "fp16", ComputeUnit.Matrix },
        // baddbmm [4,32,16] + [4,32,64]x[4,64,16] fp32: 262,144 + 4·32·16 = 264,192; read (2048 + 8192 + 4096)·4 = 57,344; write 2048·4 = 8,192
        { "aten::baddbmm", "[[4,32,16],[4,32,64],[4,64,16],[],[]]", $"[{Fp},{Fp},{Fp},\"Scalar\",\"Scalar\"]", "", 264_192, 57_344, 8_192, "fp32", ComputeUnit.Matrix },
        // matmul [8,1,32,64] x [5,64,16]: batch broadcast [8,5] = 40; 2·40·32·64·16 = 2,621,440; read (16384 + 5120)·4 = 86,016; write 40·32·16·4 = 81,920
        { "aten::matmul", "[[8,1,32,64],[5,64,16]]", $"[{Fp},{Fp}]", "", 2_621_440, 86_016, 81_920, "fp32", ComputeUnit.Matrix },
        // matmul [64] x [64,16] (vector-matrix): 2·64·16 = 2,048; read (64 + 1024)·4 = 4,352; write 16·4 = 64
        { "aten::matmul", "[[64],[64,16]]", $"[{Fp},{Fp}]", "", 2_048, 4_352, 64, "fp32", ComputeUnit.Matrix },
        // linear [2,10,512], weight [1000,512], bias [1000] bf16: M = 20; 2·20·512·1000 + 20·1000 = 20,500,000; read (10240 + 512000 + 1000)·2 = 1,046,480; write 20000·2 = 40,000
        { "aten::linear", "[[2,10,512],[1000,512],[1000]]", $"[{Bf},{Bf},{Bf}]", "", 20_500_000, 1_046_480, 40_000, "bf16", ComputeUnit.Matrix },
        // linear without bias: 2·20·512·1000 = 20,480,000; read (10240 + 512000)·2 = 1,044,480
        { "aten::linear", "[[2,10,512],[1000,512],[]]", $"[{Bf},{Bf},\"\"]", "", 20_480_000, 1_044_480, 40_000, "bf16", ComputeUnit.Matrix },
        // _scaled_mm fp8 [16,32]x[32,64], fp32 scalar scales, out_dtype 15 (bf16): 2·16·32·64 = 65,536; read 512 + 2048 + 4 + 4 = 2,568; write 16·64·2 = 2,048
        { "aten::_scaled_mm", "[[16,32],[32,64],[],[],[],[],[],[]]", $"[\"c10::Float8_e4m3fn\",\"c10::Float8_e4m3fn\",{Fp},{Fp},\"\",\"\",\"Scalar\",\"Scalar\"]", "[\"\",\"\",\"\",\"\",\"\",\"\",\"15\",\"False\"]", 65_536, 2_568, 2_048, "fp8", ComputeUnit.Matrix },
        // einsum bij,bjk->bik [2,3,4],[2,4,5]: 2·(2·3·4·5) = 240; list dtype not recorded, fp32 assumed: read (24 + 40)·4 = 256; write 30·4 = 120
        { "aten::einsum", "[[],[[2,3,4],[2,4,5]],[]]", "[\"\",\"TensorList\",\"\"]", "[\"bij,bjk->bik\",\"\",\"\"]", 240, 256, 120, "fp32", ComputeUnit.Matrix },
        // conv2d 7x7 stride 2 pad 3 on [1,3,224,224], 64 filters: out = ⌊(224 + 6 − 6 − 1)/2⌋ + 1 = 112; 2·1·64·112·112·3·49 = 236,027,904
        // read (150,528 + 64·3·49 = 9,408)·4 = 639,744; write 64·12544·4 = 3,211,264
        { "aten::convolution", "[[1,3,224,224],[64,3,7,7],[],[],[],[],[],[],[]]", $"[{Fp},{Fp},\"\",\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\",\"ScalarList\",\"Scalar\"]", "[\"\",\"\",\"\",\"[2, 2]\",\"[3, 3]\",\"[1, 1]\",\"False\",\"[0, 0]\",\"1\"]", 236_027_904, 639_744, 3_211_264, "fp32", ComputeUnit.Matrix },
        // grouped conv2d, g = 32/8 = 4, [2,32,16,16] * [64,8,3,3] + bias, pad 1: out 16x16; 2·2·64·256·8·9 = 4,718,592, + bias 2·64·256 = 32,768 → 4,751,360
        // read (16384 + 4608 + 64)·2 = 42,112; write 2·64·256·2 = 65,536
        { "aten::_convolution", "[[2,32,16,16],[64,8,3,3],[64],[],[],[],[],[],[],[],[],[],[]]", $"[{Bf},{Bf},{Bf},\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\",\"ScalarList\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\"]", "[\"\",\"\",\"\",\"[1, 1]\",\"[1, 1]\",\"[1, 1]\",\"False\",\"[0, 0]\",\"4\",\"False\",\"False\",\"True\",\"True\"]", 4_751_360, 42_112, 65_536, "bf16", ComputeUnit.Matrix },
        // depthwise conv1d stride 2 dilation 2, [1,4,10] * [4,1,3], g = 4: out = ⌊(10 − 2·2 − 1)/2⌋ + 1 = 3; 2·1·4·3·1·3 = 72; read (40 + 12)·4 = 208; write 12·4 = 48
        { "aten::conv1d", "[[1,4,10],[4,1,3],[],[],[],[],[]]", $"[{Fp},{Fp},\"\",\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\"]", "[\"\",\"\",\"\",\"[2]\",\"[0]\",\"[2]\",\"4\"]", 72, 208, 48, "fp32", ComputeUnit.Matrix },
        // conv3d [1,2,4,8,8] * [4,2,3,3,3], no padding: out [2,6,6]; 2·1·4·72·2·27 = 31,104; read (512 + 216)·4 = 2,912; write 4·72·4 = 1,152
        { "aten::convolution", "[[1,2,4,8,8],[4,2,3,3,3],[],[],[],[],[],[],[]]", $"[{Fp},{Fp},\"\",\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\",\"ScalarList\",\"Scalar\"]", "[\"\",\"\",\"\",\"[1, 1, 1]\",\"[0, 0, 0]\",\"[1, 1, 1]\",\"False\",\"[0, 0, 0]\",\"1\"]", 31_104, 2_912, 1_152, "fp32", ComputeUnit.Matrix },
        // transposed conv2d [1,4,5,5], weight [Cin 4, Cout 2, 3, 3], stride 2, pad 1, output_padding 1: out = (5−1)·2 − 2 + 2 + 1 + 1 = 10
        // MACs = N·Cin·Π(in)·(Cout/g)·Π(k) = 1·4·25·2·9 = 1,800 → 3,600; read (100 + 72)·4 = 688; write 2·100·4 = 800
        { "aten::convolution", "[[1,4,5,5],[4,2,3,3],[],[],[],[],[],[],[]]", $"[{Fp},{Fp},\"\",\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\",\"ScalarList\",\"Scalar\"]", "[\"\",\"\",\"\",\"[2, 2]\",\"[1, 1]\",\"[1, 1]\",\"True\",\"[1, 1]\",\"1\"]", 3_600, 688, 800, "fp32", ComputeUnit.Matrix },
        // cudnn_convolution without Concrete Inputs (V100 traces): output assumed = input 56x56; 2·32·64·3136·64·9 = 7,398,752,256
        // read (32·64·3136 + 64·64·9)·4 = (6,422,528 + 36,864)·4 = 25,837,568; write 6,422,528·4 = 25,690,112
        { "aten::cudnn_convolution", "[[32,64,56,56],[64,64,3,3],[],[],[],[],[],[],[]]", $"[{Fp},{Fp},\"GenericList\",\"GenericList\",\"GenericList\",\"Int\",\"Bool\",\"Bool\",\"Bool\"]", "", 7_398_752_256, 25_837_568, 25_690_112, "fp32", ComputeUnit.Matrix },
        // convolution_backward, mask [T,T,T]: grad_out [2,8,5,5], input [2,4,5,5], weight [8,4,3,3], pad 1: MACs 2·8·25·4·9 = 14,400
        // grad input 28,800 + grad weight 28,800 + grad bias 2·8·25 = 400 → 58,000; read (400 + 288 + 200)·2 = 1,776; write (200 + 288 + 8)·2 = 992
        { "aten::convolution_backward", "[[2,8,5,5],[2,4,5,5],[8,4,3,3],[],[],[],[],[],[],[],[]]", $"[{Bf},{Bf},{Bf},\"ScalarList\",\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\",\"ScalarList\",\"Scalar\",\"ScalarList\"]", "[\"\",\"\",\"\",\"[8]\",\"[1, 1]\",\"[1, 1]\",\"[1, 1]\",\"False\",\"[0, 0]\",\"1\",\"[True, True, True]\"]", 58_000, 1_776, 992, "bf16", ComputeUnit.Matrix },
        // same, grad input only [T,F,F]: 28,800; read (400 + 288)·2 = 1,376; write 200·2 = 400
        { "aten::convolution_backward", "[[2,8,5,5],[2,4,5,5],[8,4,3,3],[],[],[],[],[],[],[],[]]", $"[{Bf},{Bf},{Bf},\"ScalarList\",\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\",\"ScalarList\",\"Scalar\",\"ScalarList\"]", "[\"\",\"\",\"\",\"[8]\",\"[1, 1]\",\"[1, 1]\",\"[1, 1]\",\"False\",\"[0, 0]\",\"1\",\"[True, False, False]\"]", 28_800, 1_376, 400, "bf16", ComputeUnit.Matrix },
        // cudnn_convolution_backward_input, grad_out [32,2048,7,7], weight [2048,512,1,1], groups assumed 1: 2·32·2048·49·512 = 3,288,334,336
        // read (3,211,264 + 1,048,576)·4 = 17,039,360; write grad input 32·512·49·4 = 3,211,264
        { "aten::cudnn_convolution_backward_input", "[[],[32,2048,7,7],[2048,512,1,1],[],[],[],[],[],[],[]]", $"[\"GenericList\",{Fp},{Fp},\"GenericList\",\"GenericList\",\"GenericList\",\"Int\",\"Bool\",\"Bool\",\"Bool\"]", "", 3_288_334_336, 17_039_360, 3_211_264, "fp32", ComputeUnit.Matrix },
        // sdpa non-causal, q=k=v [1,8,141,64] bf16: 4·1·8·141·141·64 = 40,716,288; read 3·72,192·2 = 433,152; write 72,192·2 = 144,384
        { "aten::scaled_dot_product_attention", "[[1,8,141,64],[1,8,141,64],[1,8,141,64],[],[],[],[],[]]", $"[{Bf},{Bf},{Bf},\"\",\"Scalar\",\"Scalar\",\"\",\"Scalar\"]", "[\"\",\"\",\"\",\"\",\"0.\",\"False\",\"\",\"False\"]", 40_716_288, 433_152, 144_384, "bf16", ComputeUnit.Matrix },
        // grouped-query sdpa, q [1,8,16,64], k = v [1,2,16,64]: 4·1·8·16·16·64 = 524,288; read (8192 + 2·2048)·2 = 24,576; write 8192·2 = 16,384
        { "aten::scaled_dot_product_attention", "[[1,8,16,64],[1,2,16,64],[1,2,16,64],[],[],[],[],[]]", $"[{Bf},{Bf},{Bf},\"\",\"Scalar\",\"Scalar\",\"\",\"Scalar\"]", "[\"\",\"\",\"\",\"\",\"0.\",\"False\",\"\",\"True\"]", 524_288, 24_576, 16_384, "bf16", ComputeUnit.Matrix },
        // flash forward, causal, [2,4,128,64]: ½·4·2·4·128·128·64 = 16,777,216; read 3·65,536·2 = 393,216; write 131,072
        { "aten::_scaled_dot_product_flash_attention", "[[2,4,128,64],[2,4,128,64],[2,4,128,64],[],[],[],[]]", $"[{Bf},{Bf},{Bf},\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\"]", "[\"\",\"\",\"\",\"0.\",\"True\",\"False\",\"0.125\"]", 16_777_216, 393_216, 131_072, "bf16", ComputeUnit.Matrix },
        // flash backward, non-causal: 5 matmuls, 10·2·4·128·128·64 = 83,886,080; read dO, q, k, v, out 5·131,072 = 655,360; write dq, dk, dv 3·131,072 = 393,216
        { "aten::_scaled_dot_product_flash_attention_backward", "[[2,4,128,64],[2,4,128,64],[2,4,128,64],[2,4,128,64],[2,4,128,64],[2,4,128],[],[],[],[],[],[],[],[],[]]", $"[{Bf},{Bf},{Bf},{Bf},{Bf},{Fp},\"\",\"\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"\",\"\",\"Scalar\"]", "[\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"128\",\"128\",\"0.\",\"False\",\"\",\"\",\"\"]", 83_886_080, 655_360, 393_216, "bf16", ComputeUnit.Matrix },
        // flash backward, causal: ½ · 83,886,080 = 41,943,040
        { "aten::_scaled_dot_product_flash_attention_backward", "[[2,4,128,64],[2,4,128,64],[2,4,128,64],[2,4,128,64],[2,4,128,64],[2,4,128],[],[],[],[],[],[],[],[],[]]", $"[{Bf},{Bf},{Bf},{Bf},{Bf},{Fp},\"\",\"\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"\",\"\",\"Scalar\"]", "[\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"128\",\"128\",\"0.\",\"True\",\"\",\"\",\"\"]", 41_943_040, 655_360, 393_216, "bf16", ComputeUnit.Matrix },
        // layer_norm [1024,512] with weight and bias: (5 + 2)·524,288 = 3,670,016; read (524,288 + 512 + 512)·4 = 2,101,248; write 2,097,152
        { "aten::layer_norm", "[[1024,512],[],[512],[512],[],[]]", $"[{Fp},\"\",{Fp},{Fp},\"Scalar\",\"Scalar\"]", "", 3_670_016, 2_101_248, 2_097_152, "fp32", ComputeUnit.Vector },
        // native_layer_norm_backward [8,16] with weight and bias: (8 + 2·2)·128 = 1,536; read (128 + 128 + 8 + 8 + 16 + 16)·4 = 1,216; write grad input 512
        { "aten::native_layer_norm_backward", "[[8,16],[8,16],[],[8,1],[8,1],[16],[16],[]]", $"[{Fp},{Fp},\"ScalarList\",{Fp},{Fp},{Fp},{Fp},\"ScalarList\"]", "", 1_536, 1_216, 512, "fp32", ComputeUnit.Vector },
        // rms_norm [8,16,32,32] with weight [32,32]: (3 + 1)·131,072 = 524,288; read (131,072 + 1,024)·4 = 528,384; write 524,288
        { "aten::rms_norm", "[[8,16,32,32],[],[32,32],[]]", $"[{Fp},\"ScalarList\",{Fp},\"\"]", "[\"\",\"[32, 32]\",\"\",\"\"]", 524_288, 528_384, 524_288, "fp32", ComputeUnit.Vector },
        // cudnn_batch_norm [32,64,112,112] with weight, bias, running stats: (5 + 2)·25,690,112 = 179,830,784; read (25,690,112 + 4·64)·4 = 102,761,472; write 102,760,448
        { "aten::cudnn_batch_norm", "[[32,64,112,112],[64],[64],[64],[64],[],[],[]]", $"[{Fp},{Fp},{Fp},{Fp},{Fp},\"Bool\",\"Double\",\"Double\"]", "", 179_830_784, 102_761_472, 102_760_448, "fp32", ComputeUnit.Vector },
        // cudnn_batch_norm_backward [2,4,3,3] (input, grad_out, weight, 4 stats [4]): (8 + 2·2)·72 = 864; read (72 + 72 + 5·4)·4 = 656; write 288
        { "aten::cudnn_batch_norm_backward", "[[2,4,3,3],[2,4,3,3],[4],[4],[4],[4],[4],[],[0]]", $"[{Fp},{Fp},{Fp},{Fp},{Fp},{Fp},{Fp},\"Double\",\"unsigned char\"]", "", 864, 656, 288, "fp32", ComputeUnit.Vector },
        // native_group_norm [8,16,32,32] with weight and bias [16]: (5 + 2)·131,072 = 917,504; read (131,072 + 32)·4 = 524,416; write 524,288
        { "aten::native_group_norm", "[[8,16,32,32],[16],[16],[],[],[],[],[]]", $"[{Fp},{Fp},{Fp},\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\"]", "[\"\",\"\",\"\",\"8\",\"16\",\"1024\",\"4\",\"1e-05\"]", 917_504, 524_416, 524_288, "fp32", ComputeUnit.Vector },
        // log_softmax [32,1000] fp32: 5·32,000 = 160,000; read 128,000; write 128,000
        { "aten::log_softmax", "[[32,1000],[],[]]", $"[{Fp},\"Int\",\"Int\"]", "", 160_000, 128_000, 128_000, "fp32", ComputeUnit.Vector },
        // softmax [4,1000] bf16: 5·4000 = 20,000; read 8,000; write 8,000
        { "aten::_softmax", "[[4,1000],[],[]]", $"[{Bf},\"Scalar\",\"Scalar\"]", "[\"\",\"-1\",\"False\"]", 20_000, 8_000, 8_000, "bf16", ComputeUnit.Vector },
        // _log_softmax_backward_data [32,1000] fp32: 4·32,000 = 128,000; read 2·128,000 = 256,000; write 128,000
        { "aten::_log_softmax_backward_data", "[[32,1000],[32,1000],[],[32,1000]]", $"[{Fp},{Fp},\"Int\",{Fp}]", "", 128_000, 256_000, 128_000, "fp32", ComputeUnit.Vector },
        // add [32,1] + [32,64] broadcast: 1·2,048 = 2,048; read (32 + 2048)·2 = 4,160; write 2048·2 = 4,096
        { "aten::add", "[[32,1],[32,64],[]]", $"[{Bf},{Bf},\"Scalar\"]", "", 2_048, 4_160, 4_096, "bf16", ComputeUnit.Vector },
        // clamp_min(self, min, out) fp32 [32,256,14,14] (the out= overload, as the V100 ResNet-50 traces record it):
        // 1·1,605,632 = 1,605,632; read self only 6,422,528 (out is written, not read); write 6,422,528
        { "aten::clamp_min", "[[32,256,14,14],[],[32,256,14,14]]", $"[{Fp},\"Int\",{Fp}]", "", 1_605_632, 6_422_528, 6_422_528, "fp32", ComputeUnit.Vector },
        // clamp_min(self, min) functional: same FLOPs and bytes
        { "aten::clamp_min", "[[32,256,14,14],[]]", $"[{Fp},\"Int\"]", "", 1_605_632, 6_422_528, 6_422_528, "fp32", ComputeUnit.Vector },
        // gelu [1,141,2048] bf16: 5·288,768 = 1,443,840; read 577,536; write 577,536
        { "aten::gelu", "[[1,141,2048],[]]", $"[{Bf},\"\"]", "", 1_443_840, 577_536, 577_536, "bf16", ComputeUnit.Vector },
        // addcdiv_ [3,16] x3 fp32 (in place): 3·48 = 144; read 3·192 = 576; write 192
        { "aten::addcdiv_", "[[3,16],[3,16],[3,16],[]]", $"[{Fp},{Fp},{Fp},\"Scalar\"]", "", 144, 576, 192, "fp32", ComputeUnit.Vector },
        // where(bool [1024], int64 [1024], int64 [1024]): 1024; read 1024 + 8192 + 8192 = 17,408; write 8,192
        { "aten::where", "[[1024],[1024],[1024]]", "[\"bool\",\"long\",\"long\"]", "", 1_024, 17_408, 8_192, "int64", ComputeUnit.Vector },
        // threshold_backward [2,3] bf16: 6; read 24; write 12
        { "aten::threshold_backward", "[[2,3],[2,3],[]]", $"[{Bf},{Bf},\"Scalar\"]", "[\"\",\"\",\"0\"]", 6, 24, 12, "bf16", ComputeUnit.Vector },
        // sum over dim 0 of [512,1000] bf16: 512,000; read 1,024,000; write 1000·2 = 2,000
        { "aten::sum", "[[512,1000],[],[],[]]", $"[{Bf},\"ScalarList\",\"Scalar\",\"\"]", "[\"\",\"[0]\",\"True\",\"\"]", 512_000, 1_024_000, 2_000, "bf16", ComputeUnit.Vector },
        // mean over [-1,-2] of [2,3,4,5] fp32: 120; read 480; write 6·4 = 24
        { "aten::mean", "[[2,3,4,5],[],[],[]]", $"[{Fp},\"ScalarList\",\"Scalar\",\"\"]", "[\"\",\"[-1, -2]\",\"True\",\"\"]", 120, 480, 24, "fp32", ComputeUnit.Vector },
        // linalg_vector_norm [1,768] over -1: 2·768 = 1,536; read 1,536 (bf16); write 2
        { "aten::linalg_vector_norm", "[[1,768],[],[],[],[]]", $"[{Bf},\"Scalar\",\"ScalarList\",\"Scalar\",\"\"]", "[\"\",\"2\",\"[-1]\",\"True\",\"\"]", 1_536, 1_536, 2, "bf16", ComputeUnit.Vector },
        // embedding [30522,512] bf16 with [1,141] int64 indices: 0 FLOPs; read 141·8 + 141·512·2 = 145,512; write 144,384
        { "aten::embedding", "[[30522,512],[1,141],[],[],[]]", $"[{Bf},\"long int\",\"Scalar\",\"Scalar\",\"Scalar\"]", "", 0, 145_512, 144_384, "bf16", ComputeUnit.Vector },
        // embedding_bag [1000,64] fp32, 40 indices, 8 offsets (8 bags): read 320 + 64 + 40·256 = 10,624; write 8·64·4 = 2,048
        { "aten::embedding_bag", "[[1000,64],[40],[8],[],[],[],[],[]]", $"[{Fp},\"long\",\"long\",\"Scalar\",\"Scalar\",\"Scalar\",\"\",\"Scalar\"]", "", 0, 10_624, 2_048, "fp32", ComputeUnit.Vector },
        // _fused_adamw_ on P = 100 + 10 = 110 params (fp32 assumed): 13·110 = 1,430; read p, g, m, v 4·110·4 = 1,760; write p, m, v 3·110·4 = 1,320
        { "aten::_fused_adamw_", "[[[10,10],[10]],[[10,10],[10]],[[10,10],[10]],[[10,10],[10]],[],[[],[]],[],[],[],[],[],[],[],[],[]]", "[\"TensorList\",\"TensorList\",\"TensorList\",\"TensorList\",\"TensorList\",\"TensorList\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"\",\"\"]", "", 1_430, 1_760, 1_320, "fp32", ComputeUnit.Vector },
        // _fused_adam_ on P = 110: 12·110 = 1,320
        { "aten::_fused_adam_", "[[[10,10],[10]],[[10,10],[10]],[[10,10],[10]],[[10,10],[10]],[],[[],[]],[],[],[],[],[],[],[],[],[]]", "[\"TensorList\",\"TensorList\",\"TensorList\",\"TensorList\",\"TensorList\",\"TensorList\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\",\"\",\"\"]", "", 1_320, 1_760, 1_320, "fp32", ComputeUnit.Vector },
        // _foreach_add_(list [32],[32], list [32],[32]): 64; read (64 + 64)·4 = 512; write 256
        { "aten::_foreach_add_", "[[[32],[32]],[[32],[32]],[]]", "[\"TensorList\",\"TensorList\",\"Scalar\"]", "", 64, 512, 256, "fp32", ComputeUnit.Vector },
        // copy_ fp32 [8,8] into bf16 [8,8]: read 64·4 = 256; write 64·2 = 128
        { "aten::copy_", "[[8,8],[8,8],[]]", $"[{Bf},{Fp},\"Scalar\"]", "", 0, 256, 128, "bf16", ComputeUnit.Vector },
        // _to_copy fp32 [4,4] to ScalarType 15 (bf16): read 64; write 32
        { "aten::_to_copy", "[[4,4],[],[],[],[],[],[]]", $"[{Fp},\"Scalar\",\"\",\"\",\"\",\"Scalar\",\"\"]", "[\"\",\"15\",\"\",\"\",\"\",\"False\",\"\"]", 0, 64, 32, "bf16", ComputeUnit.Vector },
        // fill_ int32 [16] with a 0-d int tensor value (the DLRM traces): 0 FLOPs; read the value 4; write 16·4 = 64
        { "aten::fill_", "[[16],[]]", "[\"int\",\"int\"]", "", 0, 4, 64, "int32", ComputeUnit.Vector },
        // zero_ bf16 [512,1000]: read nothing; write 512,000·2 = 1,024,000
        { "aten::zero_", "[[512,1000]]", $"[{Bf}]", "[\"\"]", 0, 0, 1_024_000, "bf16", ComputeUnit.Vector },
        // cat([1,1,768], [1,196,768]) on dim 1: numel 768 + 150,528 = 151,296; list dtype not recorded, fp32: read and write 605,184
        { "aten::cat", "[[[1,1,768],[1,196,768]],[]]", "[\"TensorList\",\"Scalar\"]", "[\"\",\"1\"]", 0, 605_184, 605_184, "fp32", ComputeUnit.Vector },
        // index_select of 1,024 int32 indices from fp32 [755000]: read 1024·4 + 1024·4 = 8,192; write 4,096
        { "aten::index_select", "[[755000],[],[1024]]", $"[{Fp},\"Scalar\",\"int\"]", "", 0, 8_192, 4_096, "fp32", ComputeUnit.Vector },
        // index_select dim 0 of fp32 [100,64] with 10 int64 indices: 10 rows of 64 = 640 elements; read 80 + 2,560 = 2,640; write 2,560
        { "aten::index_select", "[[100,64],[],[10]]", $"[{Fp},\"Scalar\",\"long\"]", "[\"\",\"0\",\"\"]", 0, 2_640, 2_560, "fp32", ComputeUnit.Vector },
        // gather from fp32 [50] with 61,072 int64 indices: read 61072·8 + 61072·4 = 732,864; write 244,288
        { "aten::gather", "[[50],[],[61072],[]]", $"[{Fp},\"Scalar\",\"long\",\"Scalar\"]", "", 0, 732_864, 244_288, "fp32", ComputeUnit.Vector },
        // gather_backward(grad [61072], self [50], index [61072]): 61,072 adds; read 244,288 + 488,576 = 732,864; write 50·4 = 200
        { "aten::gather_backward", "[[61072],[50],[],[61072],[]]", $"[{Fp},{Fp},\"Scalar\",\"long\",\"Scalar\"]", "", 61_072, 732_864, 200, "fp32", ComputeUnit.Vector },
        // scatter_add_ into fp32 [50] of 61,072 values: 61,072 adds; touched min(61072, 50)·4 = 200; read 488,576 + 244,288 + 200 = 733,064; write 200
        { "aten::scatter_add_", "[[50],[],[61072],[61072]]", $"[{Fp},\"Scalar\",\"long\",{Fp}]", "", 61_072, 733_064, 200, "fp32", ComputeUnit.Vector },
        // index_add_ of 1,024 fp32 values at int32 indices into [755000]: 1,024 adds; read 4,096 + 4,096 + touched 4,096 = 12,288; write 4,096
        { "aten::index_add_", "[[755000],[],[1024],[1024],[]]", $"[{Fp},\"Scalar\",\"int\",{Fp},\"Scalar\"]", "", 1_024, 12_288, 4_096, "fp32", ComputeUnit.Vector },
        // index_copy_ of 1,024 fp32 values at int64 indices: read 8,192 + 4,096 = 12,288; write 4,096
        { "aten::index_copy_", "[[755000],[],[1024],[1024]]", $"[{Fp},\"Scalar\",\"long\",{Fp}]", "", 0, 12_288, 4_096, "fp32", ComputeUnit.Vector },
        // _index_put_impl_ of values [16,351] into [16,27,27] (DLRM, accumulate not recorded: assumed False): 0 FLOPs; read and write 5,616·4 = 22,464
        { "aten::_index_put_impl_", "[[16,27,27],[],[16,351],[],[]]", $"[{Fp},\"\",{Fp},\"Scalar\",\"Scalar\"]", "", 0, 22_464, 22_464, "fp32", ComputeUnit.Vector },
        // the same with accumulate True: 5,616 adds; read values and the touched elements 2·22,464 = 44,928; write 22,464
        { "aten::_index_put_impl_", "[[16,27,27],[],[16,351],[],[]]", $"[{Fp},\"\",{Fp},\"Scalar\",\"Scalar\"]", "[\"\",\"\",\"\",\"True\",\"False\"]", 5_616, 44_928, 22_464, "fp32", ComputeUnit.Vector },
        // max_pool2d_with_indices fp32 [1,1,5,5], k 3, stride 2, pad 1: out = ⌊(5 + 2 − 2 − 1)/2⌋ + 1 = 3; 9·9 = 81; read 100; write 9·(4 + 8) = 108
        { "aten::max_pool2d_with_indices", "[[1,1,5,5],[],[],[],[],[]]", $"[{Fp},\"ScalarList\",\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\"]", "[\"\",\"[3, 3]\",\"[2, 2]\",\"[1, 1]\",\"[1, 1]\",\"False\"]", 81, 100, 108, "fp32", ComputeUnit.Vector },
        // ceil_mode, [1,1,5,5], k 2, stride 2, no pad: out = ⌈(5 − 1 − 1)/2⌉ + 1 = 3 (floor would give 2), last window starts at 4 < 5: kept; 9·4 = 36; read 100; write 108
        { "aten::max_pool2d_with_indices", "[[1,1,5,5],[],[],[],[],[]]", $"[{Fp},\"ScalarList\",\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\"]", "[\"\",\"[2, 2]\",\"[2, 2]\",\"[0, 0]\",\"[1, 1]\",\"True\"]", 36, 100, 108, "fp32", ComputeUnit.Vector },
        // max_pool2d_with_indices_backward, grad [32,64,56,56] fp32 into [32,64,112,112] (V100 ResNet-50, window not recorded, not needed):
        // 6,422,528 adds; read grad 25,690,112 + int64 indices 51,380,224 = 77,070,336; write 25,690,112·4 = 102,760,448
        { "aten::max_pool2d_with_indices_backward", "[[32,64,56,56],[32,64,112,112],[],[],[],[],[],[32,64,56,56]]", $"[{Fp},{Fp},\"GenericList\",\"GenericList\",\"GenericList\",\"GenericList\",\"Bool\",\"long int\"]", "", 6_422_528, 77_070_336, 102_760_448, "fp32", ComputeUnit.Vector },
        // mse_loss bf16 [512,1000], reduction mean: 3·512,000 = 1,536,000; read 2·1,024,000 = 2,048,000; write one bf16 2
        { "aten::mse_loss", "[[512,1000],[512,1000],[]]", $"[{Bf},{Bf},\"Scalar\"]", "[\"\",\"\",\"1\"]", 1_536_000, 2_048_000, 2, "bf16", ComputeUnit.Vector },
        // mse_loss_backward(grad [] 0-d, self, target [512,1000], mean, out grad_input): 3·512,000; read 2 + 2·1,024,000 = 2,048,002; write 1,024,000
        { "aten::mse_loss_backward", "[[],[512,1000],[512,1000],[],[512,1000]]", $"[{Bf},{Bf},{Bf},\"Scalar\",{Bf}]", "[\"\",\"\",\"\",\"1\",\"\"]", 1_536_000, 2_048_002, 1_024_000, "bf16", ComputeUnit.Vector },
        // fbgemm permute_2D_sparse_data, 24 tables × 16 samples, 768 int32 indices: read 96 + 1,536 + 3,072 = 4,704; write 1,536 + 3,072 = 4,608
        { "fbgemm::permute_2D_sparse_data", "[[24],[24,16],[768],[],[]]", "[\"int\",\"int\",\"int\",\"\",\"Scalar\"]", "", 0, 4_704, 4_608, "int32", ComputeUnit.Vector },
        // fbgemm asynchronous_complete_cumsum int32 [384]: 384 adds; read 1,536; write 385·4 = 1,540
        { "fbgemm::asynchronous_complete_cumsum", "[[384]]", "[\"int\"]", "", 384, 1_536, 1_540, "int32", ComputeUnit.Vector },
        // fbgemm bounds_check_indices, 3 tables, 768 int64 indices, 385 offsets: 2·768 = 1,536; read 24 + 6,144 + 3,080 = 9,248; write 0
        { "fbgemm::bounds_check_indices", "[[3],[768],[385],[],[1],[]]", "[\"long int\",\"long int\",\"long int\",\"Scalar\",\"long int\",\"\"]", "", 1_536, 9_248, 0, "int64", ComputeUnit.Vector },
        // fbgemm permute_pooled_embs_auto_grad [4,10] fp32, 3 tables (offset lists [4], permutes [3], int64): 0 FLOPs; read 160 + (4 + 3 + 4 + 3)·8 = 272; write 160
        { "fbgemm::permute_pooled_embs_auto_grad", "[[4,10],[4],[3],[4],[3]]", $"[{Fp},\"long\",\"long\",\"long\",\"long\"]", "", 0, 272, 160, "fp32", ComputeUnit.Vector },
        // its autograd node, grad [4,10] fp32: 0 FLOPs; read 160; write 160
        { "torch::autograd::CppNode<fbgemm_gpu::PermutePooledEmbsFunction<&fbgemm_gpu::permute_pooled_embs_gpu> >", "[[4,10]]", $"[{Fp}]", "", 0, 160, 160, "fp32", ComputeUnit.Vector },
        // fbgemm recat_embedding_grad_output_mixed_D_batch [4,10] fp32, 2 ranks: 0 FLOPs; read 160 + 16 + 16 = 192; write 160
        { "fbgemm::recat_embedding_grad_output_mixed_D_batch", "[[4,10],[2],[2]]", $"[{Fp},\"long\",\"long\"]", "", 0, 192, 160, "fp32", ComputeUnit.Vector },
        // fbgemm FloatToFP8RowwiseQuantized [3,6] fp32: 3·18 = 54; read 72; write 3 rows × (8 (6 rounded up to 4) + 8) = 48
        { "fbgemm::FloatToFP8RowwiseQuantized", "[[3,6],[]]", $"[{Fp},\"Scalar\"]", "", 54, 72, 48, "fp32", ComputeUnit.Vector },
        // fbgemm FP8RowwiseQuantizedToFloat [3,16] uint8: 3·(16 − 8) = 24 values, 24 FLOPs; read 48; write 24·4 = 96
        { "fbgemm::FP8RowwiseQuantizedToFloat", "[[3,16],[]]", "[\"unsigned char\",\"Scalar\"]", "", 24, 48, 96, "fp32", ComputeUnit.Vector },
        // fbgemm FloatToHFP8Quantized [100] fp32: a cast, 0 FLOPs; read 400; write 100
        { "fbgemm::FloatToHFP8Quantized", "[[100],[],[],[]]", $"[{Fp},\"Scalar\",\"Scalar\",\"Scalar\"]", "", 0, 400, 100, "fp32", ComputeUnit.Vector },
        // fbgemm HFP8QuantizedToFloat [100] uint8: 0 FLOPs; read 100; write 400
        { "fbgemm::HFP8QuantizedToFloat", "[[100],[],[]]", "[\"unsigned char\",\"Scalar\",\"Scalar\"]", "", 0, 100, 400, "fp32", ComputeUnit.Vector },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Formula_matches_the_hand_worked_value(string op, string dims, string types, string concrete, double flops, long read, long written, string dtype, ComputeUnit unit)
    {
        var cost = OpCostModel.Estimate(op, dims, types, concrete);
        Assert.True(cost.HasEstimate, cost.Reason);
        Assert.Equal(flops, cost.Flops);
        Assert.Equal(read, cost.BytesRead);
        Assert.Equal(written, cost.BytesWritten);
        Assert.Equal(dtype, cost.DataType);
        Assert.Equal(unit, cost.Unit);
        Assert.False(string.IsNullOrEmpty(cost.Formula));
    }

    public static TheoryData<string, string, string, string, OpCostKind> BadRows => new()
    {
        { "aten::mm", "[[2,3],[3,4]]", "[\"c10::Float4_e2m1\",\"c10::Float4_e2m1\"]", "", OpCostKind.UnknownDtype },
        { "aten::mm", "[[2,3],[3,4]]", "[]", "", OpCostKind.UnknownDtype },
        { "aten::mm", "[[2,3],[4,5]]", $"[{Fp},{Fp}]", "", OpCostKind.ShapeMismatch },
        { "aten::bmm", "[[2,3],[3,4]]", $"[{Fp},{Fp}]", "", OpCostKind.ShapeMismatch },
        { "aten::matmul", "[[2,3,4],[5,4,6]]", $"[{Fp},{Fp}]", "", OpCostKind.ShapeMismatch },
        { "aten::add", "[[3,4],[5,4]]", $"[{Fp},{Fp}]", "", OpCostKind.ShapeMismatch },
        { "aten::convolution", "[[1,5,8,8],[4,2,3,3],[],[],[],[],[],[],[]]", $"[{Fp},{Fp}]", "", OpCostKind.ShapeMismatch },
        { "aten::scaled_dot_product_attention", "[[1,8,16],[1,8,16],[1,8,16]]", $"[{Bf},{Bf},{Bf}]", "", OpCostKind.ShapeMismatch },
        { "aten::mm", "[[-1,3],[3,4]]", $"[{Fp},{Fp}]", "", OpCostKind.BadDims },
        { "aten::mm", "[[2199023255552,3],[3,4]]", $"[{Fp},{Fp}]", "", OpCostKind.BadDims },
        { "aten::mm", "[[1000000000,1000000000],[1000000000,1000000000]]", $"[{Fp},{Fp}]", "", OpCostKind.BadDims },
        { "aten::mm", "", "", "", OpCostKind.MissingShapes },
        { "aten::mm", "[[2,3]]", $"[{Fp}]", "", OpCostKind.MissingShapes },
        { "aten::mm", "[[2,3],[3,4]", $"[{Fp},{Fp}]", "", OpCostKind.Malformed },
        { "aten::mm", "[[2.5,3],[3,4]]", $"[{Fp},{Fp}]", "", OpCostKind.Malformed },
        { "aten::mm", "{\"a\":1}", $"[{Fp},{Fp}]", "", OpCostKind.Malformed },
        { "aten::einsum", "[[],[[1,5184,768],[1,1,768]],[]]", "[\"\",\"TensorList\",\"\"]", "[\"\",\"\",\"\"]", OpCostKind.MissingShapes },
        { "aten::_foreach_add_", "[[],[],[]]", "[\"TensorList\",\"TensorList\",\"Scalar\"]", "", OpCostKind.MissingShapes },
        { "aten::cudnn_convolution_backward_weight", "[[],[32,2048,7,7],[32,512,7,7]]", $"[\"GenericList\",{Fp},{Fp}]", "", OpCostKind.MissingShapes },
        // TensorList shapes not recorded (older profilers), window not recorded, a permute that selects tables (output size unknown)
        { "aten::cat", "[[],[]]", "[\"TensorList\",\"Scalar\"]", "", OpCostKind.MissingShapes },
        { "aten::max_pool2d_with_indices", "[[32,64,112,112],[],[],[],[],[]]", $"[{Fp},\"GenericList\",\"GenericList\",\"GenericList\",\"GenericList\",\"Bool\"]", "", OpCostKind.MissingShapes },
        { "fbgemm::permute_sparse_features", "[[979],[951,1024],[13914359],[]]", "[\"int\",\"int\",\"int\",\"\"]", "", OpCostKind.MissingShapes },
        { "aten::index_select", "[[100,64],[],[10]]", $"[{Fp},\"Scalar\",\"long\"]", "", OpCostKind.MissingShapes },
        // shapes that do not fit: cat inputs differing outside the cat dim, a window larger than the input, an index that does not divide the source
        { "aten::cat", "[[[2,3],[2,4]],[]]", "[\"TensorList\",\"Scalar\"]", "[\"\",\"0\"]", OpCostKind.ShapeMismatch },
        { "aten::max_pool2d_with_indices", "[[1,1,2,2],[],[],[],[],[]]", $"[{Fp},\"ScalarList\",\"ScalarList\",\"ScalarList\",\"ScalarList\",\"Scalar\"]", "[\"\",\"[5, 5]\",\"[1, 1]\",\"[0, 0]\",\"[1, 1]\",\"False\"]", OpCostKind.ShapeMismatch },
        { "aten::index_add_", "[[100],[],[3],[10],[]]", $"[{Fp},\"Scalar\",\"long\",{Fp},\"Scalar\"]", "", OpCostKind.ShapeMismatch },
        { "aten::mse_loss", "[[4,5],[3,5],[]]", $"[{Fp},{Fp},\"Scalar\"]", "", OpCostKind.ShapeMismatch },
        { "fbgemm::asynchronous_complete_cumsum", "[[4,4]]", "[\"int\"]", "", OpCostKind.ShapeMismatch },
        // unknown dtypes, negative and absurd dimensions (2^40 × 2^40 fp32 is 4.8e24 bytes)
        { "aten::gather", "[[50],[],[10],[]]", "[\"c10::Float4_e2m1fn_x2\",\"Scalar\",\"long\",\"Scalar\"]", "", OpCostKind.UnknownDtype },
        { "aten::fill_", "[[16],[]]", "[]", "", OpCostKind.UnknownDtype },
        { "aten::fill_", "[[-16],[]]", $"[{Fp},\"Scalar\"]", "", OpCostKind.BadDims },
        { "aten::zero_", "[[1099511627776,1099511627776]]", $"[{Fp}]", "", OpCostKind.BadDims },
        { "fbgemm::bounds_check_indices", "[[3],[-768],[385],[],[1],[]]", "[\"long\",\"long\",\"long\",\"Scalar\",\"long\",\"\"]", "", OpCostKind.BadDims },
        { "aten::frobnicate", "[[2,3]]", $"[{Fp}]", "", OpCostKind.UnknownOp },
        { "fbgemm::mm", "[[2,3],[3,4]]", $"[{Fp},{Fp}]", "", OpCostKind.UnknownOp },
        { "", "", "", "", OpCostKind.UnknownOp },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void Bad_input_gives_no_estimate_with_a_reason(string op, string dims, string types, string concrete, OpCostKind kind)
    {
        var cost = OpCostModel.Estimate(op, dims, types, concrete);
        Assert.False(cost.HasEstimate);
        Assert.Equal(kind, cost.Kind);
        Assert.False(string.IsNullOrEmpty(cost.Reason));
        Assert.Equal(0, cost.Flops);
    }

    [Fact]
    public void Truncated_or_corrupted_text_never_throws_nor_gives_a_non_finite_value()
    {
        foreach (var row in Rows)
        {
            var data = ((ITheoryDataRow)row).GetData();
            var (op, dims, types, concrete) = ((string)data[0]!, (string)data[1]!, (string)data[2]!, (string)data[3]!);
            for (var cut = 0; cut <= dims.Length; cut++)
            {
                foreach (var variant in new[] { dims[..cut], dims[..cut] + "]", dims[..cut].Replace('1', '-') + dims[cut..] })
                {
                    var cost = OpCostModel.Estimate(op, variant, types, concrete);
                    Assert.True(double.IsFinite(cost.Flops) && cost.Flops >= 0 && cost.BytesRead >= 0 && cost.BytesWritten >= 0, $"{op} {variant}");
                    Assert.True(cost.HasEstimate || cost.Reason.Length > 0, $"{op} {variant}");
                }
            }

            Assert.True(double.IsFinite(OpCostModel.Estimate(op, dims, types[..(types.Length / 2)], concrete).Flops));
            Assert.True(double.IsFinite(OpCostModel.Estimate(op, dims, types, concrete.Length > 0 ? concrete[..(concrete.Length / 2)] : "[").Flops));
        }
    }

    [Fact]
    public void Attention_backward_is_two_and_a_half_forward_from_its_five_matmuls()
    {
        const string q = "[2,4,128,64]";
        var fwd = OpCostModel.Estimate("aten::_scaled_dot_product_flash_attention", $"[{q},{q},{q},[],[],[],[]]", $"[{Bf},{Bf},{Bf},\"Scalar\",\"Scalar\",\"Scalar\",\"Scalar\"]", "");
        var bwd = OpCostModel.Estimate("aten::_scaled_dot_product_flash_attention_backward", $"[{q},{q},{q},{q},{q}]", $"[{Bf},{Bf},{Bf},{Bf},{Bf}]", "");
        Assert.Equal(2.5 * fwd.Flops, bwd.Flops);
        Assert.Contains("not recorded", fwd.Formula, StringComparison.Ordinal);
    }

    [Fact]
    public void Convolution_without_concrete_inputs_states_its_assumption()
    {
        var cost = OpCostModel.Estimate("aten::cudnn_convolution", "[[32,64,56,56],[64,64,3,3],[],[],[],[],[],[],[]]", $"[{Fp},{Fp},\"GenericList\",\"GenericList\",\"GenericList\",\"Int\",\"Bool\",\"Bool\",\"Bool\"]", "");
        Assert.Contains("assumed stride 1", cost.Formula, StringComparison.Ordinal);
        Assert.True(cost.Assumed);
        Assert.False(OpCostModel.Estimate("aten::mm", "[[2,3],[3,4]]", $"[{Fp},{Fp}]", "").Assumed);
    }

    [Theory]
    [InlineData("all_reduce", 1000, 8, 1750.0)] // 1000·2·7/8
    [InlineData("nccl:all_reduce", 1000, 2, 1000.0)] // 1000·2·1/2
    [InlineData("all_gather", 1000, 4, 750.0)] // 1000·3/4
    [InlineData("_reduce_scatter_base", 1000, 4, 750.0)]
    [InlineData("all_to_all", 800, 8, 700.0)] // 800·7/8
    [InlineData("broadcast", 1000, 8, 1000.0)]
    [InlineData("send", 1000, 2, 1000.0)]
    [InlineData("recv", 1000, 2, 1000.0)]
    public void Collective_bus_bytes_follow_nccl(string collective, long bytes, int n, double expected) =>
        Assert.Equal(expected, CollectiveCost.BusBytes(collective, bytes, n));

    [Theory]
    [InlineData("barrier", 1000, 8)]
    [InlineData("all_reduce", 1000, 0)]
    [InlineData("all_reduce", -1, 8)]
    [InlineData("", 1000, 8)]
    [InlineData("frobnicate", 1000, 8)]
    public void Collective_without_a_factor_has_no_bus_bytes(string collective, long bytes, int n) =>
        Assert.Null(CollectiveCost.BusBytes(collective, bytes, n));
}
