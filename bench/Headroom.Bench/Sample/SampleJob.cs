using System.IO.Compression;
using System.Text;

namespace Headroom.Bench.Sample;

/// <summary>
/// A synthetic, deterministic 2-rank DDP training job of a GPT-style decoder (bf16, H100), written as PyTorch
/// profiler (Kineto) traces. Both ranks run the same program in lockstep; collectives end when the slowest rank
/// has reached them, so the straggler (rank 1: slower host and data loading) makes rank 0 wait inside NCCL kernels.
/// </summary>
internal sealed class SampleJob
{
    public const int WorldSize = 2;
    private const int Layers = 24, Hidden = 2048, Heads = 16, Ffn = 8192, Batch = 8, Seq = 1024, Vocab = 50304;
    private const int FirstStep = 2, Steps = 5;
    private const long Tokens = (long)Batch * Seq;
    private const long StartNs = 3_912_607_445_118_217; // the profiler clock at the start of the capture
    private const long BaseTimeNanoseconds = 1_733_238_802_000_000_000;
    private const string BF16 = "c10::BFloat16";

    private readonly SampleRank[] _ranks;
    private long _collectiveSequence;

    public SampleJob()
    {
        _ranks =
        [
            new SampleRank(0, seed: 20_241_203, StartNs, hostFactor: 1.0, gpuFactor: 1.0),
            new SampleRank(1, seed: 20_241_204, StartNs + 41_337, hostFactor: 1.06, gpuFactor: 1.01),
        ];
    }

    /// <summary>Simulates the job and writes one gzipped trace per rank into <paramref name="outDir"/>; returns the paths.</summary>
    public IReadOnlyList<string> Write(string outDir)
    {
        Simulate();
        Directory.CreateDirectory(outDir);
        var paths = new List<string>();
        foreach (var r in _ranks)
        {
            var path = Path.Combine(outDir, $"rank-{r.Rank}.pt.trace.json.gz");
            using var file = File.Create(path);
            using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
            var text = Encoding.UTF8.GetBytes(Render(r));
            gzip.Write(text);
            paths.Add(path);
        }

        return paths;
    }

    private void Simulate()
    {
        var programs = _ranks.Select(r => Program(r).GetEnumerator()).ToArray();
        while (true)
        {
            var moved = programs.Select(p => p.MoveNext()).ToArray();
            if (moved.All(m => !m))
            {
                break;
            }

            if (!moved.All(m => m))
            {
                throw new InvalidOperationException("the ranks diverged");
            }

            // The collective starts when the last rank's kernel starts, then moves the data (ring all-reduce over NVLink).
            var pending = programs.Select(p => p.Current).ToArray();
            var ready = pending.Max(p => p.Kernel.Ts);
            var transfer = 18_000 + (long)(pending[0].Bytes * 2.0 * (WorldSize - 1) / WorldSize / 310.0);
            foreach (var p in pending)
            {
                p.Complete(ready + transfer);
            }
        }
    }

    /// <summary>One rank's training loop; yields at every collective so that the job can align the ranks.</summary>
    private IEnumerable<PendingCollective> Program(SampleRank r)
    {
        var main = r.Main;
        var grad = r.Autograd;
        for (var step = FirstStep; step < FirstStep + Steps; step++)
        {
            r.Begin(main, "user_annotation", $"ProfilerStep#{step}");
            r.Spend(main, 6);

            // Data loading: pure host work (collate, pin memory) while the device idles.
            r.Begin(main, "user_annotation", "enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__");
            for (var i = 0; i < 24; i++)
            {
                r.Spend(main, r.Rank == 0 ? 250 : 290);
                r.Leaf(main, "aten::stack", Shapes.Of("long int", [[Seq + 1]], "0"), 40);
                r.Leaf(main, "aten::slice", Shapes.Of("long int", [[Batch, Seq + 1]], "1", "0", "1024", "1"), 3);
            }

            r.Leaf(main, "aten::pin_memory", Shapes.Of("long int", [[Batch, Seq]], ""), 180);
            r.End(main);

            // Inputs and labels to the device.
            foreach (var _ in new[] { "input_ids", "labels" })
            {
                r.Begin(main, "cpu_op", "aten::to", Shapes.Of("long int", [[Batch, Seq]], "4", "0", "", "True", "False", ""));
                r.Begin(main, "cpu_op", "aten::_to_copy", Shapes.Of("long int", [[Batch, Seq]], "4", "0", "", "True", "False", ""));
                r.Leaf(main, "aten::empty_strided", null, 5);
                r.Begin(main, "cpu_op", "aten::copy_", Shapes.Of("long int", [[Batch, Seq], [Batch, Seq]], "True"));
                r.Memcpy(main, r.Compute, "Memcpy HtoD (Pinned -> Device)", Tokens * 8, 22.0);
                r.End(main);
                r.End(main);
                r.End(main);
            }

            Forward(r, main);

            // loss.backward(): the autograd engine runs the graph on its own thread; the main thread waits.
            r.Begin(main, "cpu_op", "aten::ones_like", Shapes.Of("float", [[]], "", "", "", "", "0"));
            r.Leaf(main, "aten::empty_like", null, 4);
            r.Begin(main, "cpu_op", "aten::fill_", Shapes.Of("float", [[]], "1"));
            r.Launch(main, r.Compute, Elementwise("at::native::FillFunctor<float>", 1, 1.8));
            r.End(main);
            r.End(main);
            grad.Now = Math.Max(grad.Now, main.Now + r.HostTime(22));
            foreach (var c in Backward(r, grad))
            {
                yield return c;
            }

            main.Now = Math.Max(main.Now, grad.Now) + r.HostTime(35);

            // DDP: the optimizer must see the reduced gradients.
            r.StreamWait(main, r.Comms, r.Compute);
            r.Begin(main, "user_annotation", "Optimizer.step#AdamW.step");
            r.Spend(main, 60);
            r.Begin(main, "cpu_op", "aten::_fused_adamw_", Shapes.Of(BF16, [], "", "", "", "", "", "0.0003", "0.9", "0.95", "0.1", "1e-08", "False", "False", "", ""));
            const long paramsTotal = (Layers * ((4L * Hidden * Hidden) + (2L * Hidden * Ffn))) + (2L * Vocab * Hidden);
            for (var chunk = 0; chunk < 8; chunk++)
            {
                r.Launch(main, r.Compute, new KernelSpec(
                    "void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous namespace)::FusedOptimizerTensorListMetadata<4>, "
                    + "at::native::(anonymous namespace)::FusedAdamMathFunctor<float, 4, (at::native::ADAM_MODE)1, false>, float*, double, double, double, double, double, bool, float*, float*>"
                    + "(at::native::(anonymous namespace)::FusedOptimizerTensorListMetadata<4>, at::native::(anonymous namespace)::FusedAdamMathFunctor<float, 4, (at::native::ADAM_MODE)1, false>, "
                    + "float*, double, double, double, double, double, bool, float*, float*)",
                    Bandwidth(paramsTotal / 8 * 18), 64, 0, [65_535, 1, 1], [512, 1, 1]));
            }

            r.End(main);
            r.End(main);

            r.Begin(main, "user_annotation", "Optimizer.zero_grad#AdamW.zero_grad");
            r.Spend(main, 45);
            r.Begin(main, "cpu_op", "aten::zero_", Shapes.Of(BF16, [[paramsTotal / 4]]));
            r.Memset(main, r.Compute, paramsTotal / 4 * 2);
            r.End(main);
            r.End(main);

            // loss.item() for logging: a device-to-host copy and a stream sync; the host waits for the device.
            r.Begin(main, "cpu_op", "aten::item", Shapes.Of("float", [[]]));
            r.Begin(main, "cpu_op", "aten::_local_scalar_dense", Shapes.Of("float", [[]]));
            r.Memcpy(main, r.Compute, "Memcpy DtoH (Device -> Pinned)", 4, 0.5);
            r.Synchronize(main, r.Compute);
            r.End(main);
            r.End(main);

            // Host-bound metrics: a burst of tiny kernels, each shorter than its launch.
            r.Begin(main, "user_annotation", "compute_metrics");
            for (var i = 0; i < 14; i++)
            {
                r.Begin(main, "cpu_op", i % 2 == 0 ? "aten::mul" : "aten::add", Shapes.Of("float", [[Batch], [Batch]]));
                r.Spend(main, 22);
                r.Launch(main, r.Compute, Elementwise(i % 2 == 0 ? "at::native::binary_internal::MulFunctor<float>" : "at::native::CUDAFunctor_add<float>", 3, 2.1));
                r.End(main);
            }

            r.End(main);
            r.Spend(main, 12);
            r.End(main);
            r.Spend(main, 9);
        }
    }

    private static void Forward(SampleRank r, HostThread t)
    {
        r.Begin(t, "user_annotation", "## forward ##");
        r.Begin(t, "cpu_op", "aten::embedding", Shapes.Of(BF16, [[Vocab, Hidden], [Batch, Seq]], "-1", "False", "False"));
        r.Leaf(t, "aten::reshape", Shapes.Of("long int", [[Batch, Seq]], "[-1]"), 3);
        r.Begin(t, "cpu_op", "aten::index_select", Shapes.Of(BF16, [[Vocab, Hidden], [Tokens]], "0"));
        r.Launch(t, r.Compute, new KernelSpec(
            "void at::native::(anonymous namespace)::indexSelectLargeIndex<c10::BFloat16, long, unsigned int, 2, 2, -2, true>"
            + "(at::cuda::detail::TensorInfo<c10::BFloat16, unsigned int>, at::cuda::detail::TensorInfo<c10::BFloat16 const, unsigned int>, "
            + "at::cuda::detail::TensorInfo<long const, unsigned int>, int, int, unsigned int, unsigned int, long)",
            Bandwidth(Tokens * Hidden * 2 * 2), 32, 0, [1056, 1, 1], [128, 1, 1]));
        r.End(t);
        r.End(t);

        for (var layer = 0; layer < Layers; layer++)
        {
            LayerNorm(r, t);
            Linear(r, t, Hidden, 3 * Hidden, sm90: true);
            r.Leaf(t, "aten::view", Shapes.Of(BF16, [[Batch, Seq, 3 * Hidden]], "[8, 1024, 3, 16, 128]"), 3);
            r.Leaf(t, "aten::unbind", Shapes.Of(BF16, [[Batch, Seq, 3, Heads, Hidden / Heads]], "2"), 9);
            r.Begin(t, "cpu_op", "aten::scaled_dot_product_attention", Shapes.Of(BF16, [[Batch, Heads, Seq, 128], [Batch, Heads, Seq, 128], [Batch, Heads, Seq, 128]], "", "0.", "True", "", "False"));
            r.Begin(t, "cpu_op", "aten::_scaled_dot_product_flash_attention", Shapes.Of(BF16, [[Batch, Heads, Seq, 128], [Batch, Heads, Seq, 128], [Batch, Heads, Seq, 128]], "0.", "True", "False", ""));
            r.Leaf(t, "aten::transpose", Shapes.Of(BF16, [[Batch, Heads, Seq, 128]], "1", "2"), 3);
            r.Begin(t, "cpu_op", "aten::_flash_attention_forward", Shapes.Of(BF16, [[Batch, Seq, Heads, 128], [Batch, Seq, Heads, 128], [Batch, Seq, Heads, 128]], "", "", "1024", "1024", "0.", "True", "False", ""));
            r.Leaf(t, "aten::empty_like", null, 4);
            r.Leaf(t, "aten::empty", null, 3);
            r.Launch(t, r.Compute, new KernelSpec(
                "void pytorch_flash::flash_fwd_kernel<pytorch_flash::Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, cutlass::bfloat16_t, "
                + "pytorch_flash::Flash_kernel_traits<128, 128, 64, 4, cutlass::bfloat16_t> >, true, false, false, false, true, true, false, false>(pytorch_flash::Flash_fwd_params)",
                (2.0 * Batch * Seq * Seq * Hidden / 360_000_000.0), 255, 49_152, [8, Batch, Heads], [128, 1, 1]));
            r.End(t);
            r.End(t);
            r.End(t);
            Linear(r, t, Hidden, Hidden, sm90: true);
            Add(r, t, Hidden);
            LayerNorm(r, t);
            Linear(r, t, Hidden, Ffn, sm90: false);
            r.Begin(t, "cpu_op", "aten::gelu", Shapes.Of(BF16, [[Batch, Seq, Ffn]], "tanh"));
            r.Launch(t, r.Compute, Elementwise(
                "at::native::GeluCUDAKernelImpl(at::TensorIteratorBase&, at::native::GeluType)::{lambda()#1}::operator()() const::{lambda()#4}::operator()() const::{lambda(c10::BFloat16)#1}",
                2, Bandwidth(Tokens * Ffn * 2 * 2)));
            r.End(t);
            Linear(r, t, Ffn, Hidden, sm90: true);
            Add(r, t, Hidden);
        }

        LayerNorm(r, t);
        Linear(r, t, Hidden, Vocab, sm90: true, bias: false);
        r.Begin(t, "cpu_op", "aten::cross_entropy_loss", Shapes.Of(BF16, [[Tokens, Vocab], [Tokens]], "", "1", "-100", "0."));
        r.Begin(t, "cpu_op", "aten::log_softmax", Shapes.Of(BF16, [[Tokens, Vocab]], "1", ""));
        r.Begin(t, "cpu_op", "aten::_log_softmax", Shapes.Of(BF16, [[Tokens, Vocab]], "1", "False"));
        r.Launch(t, r.Compute, new KernelSpec(
            "void at::native::(anonymous namespace)::cunn_SoftMaxForward<8, c10::BFloat16, float, c10::BFloat16, at::native::(anonymous namespace)::LogSoftMaxForwardEpilogue>"
            + "(c10::BFloat16*, c10::BFloat16 const*, int)", Bandwidth(Tokens * Vocab * 2 * 2), 38, 0, [(int)Tokens, 1, 1], [1024, 1, 1]));
        r.End(t);
        r.End(t);
        r.Begin(t, "cpu_op", "aten::nll_loss_nd", Shapes.Of(BF16, [[Tokens, Vocab], [Tokens]], "", "1", "-100"));
        r.Begin(t, "cpu_op", "aten::nll_loss_forward", Shapes.Of(BF16, [[Tokens, Vocab], [Tokens]], "", "1", "-100"));
        r.Launch(t, r.Compute, new KernelSpec(
            "void at::native::(anonymous namespace)::nll_loss_forward_reduce_cuda_kernel_2d<c10::BFloat16, float, long>"
            + "(c10::BFloat16*, c10::BFloat16*, c10::BFloat16 const*, long const*, c10::BFloat16 const*, bool, long, long, long, long)",
            11, 30, 2_048, [1, 1, 1], [1024, 1, 1]));
        r.End(t);
        r.End(t);
        r.End(t);
        r.End(t);
    }

    private IEnumerable<PendingCollective> Backward(SampleRank r, HostThread t)
    {
        Autograd(r, t, "NllLossBackward0", () =>
        {
            r.Begin(t, "cpu_op", "aten::nll_loss_backward", Shapes.Of(BF16, [[], [Tokens, Vocab], [Tokens]], "", "1", "-100"));
            r.Memset(t, r.Compute, Tokens * Vocab * 2);
            r.Launch(t, r.Compute, new KernelSpec(
                "void at::native::(anonymous namespace)::nll_loss_backward_reduce_cuda_kernel_2d<c10::BFloat16, long>"
                + "(c10::BFloat16*, c10::BFloat16 const*, long const*, c10::BFloat16 const*, c10::BFloat16 const*, bool, int, int, long, long)",
                8, 32, 0, [1, 1, 1], [1024, 1, 1]));
            r.End(t);
        });
        Autograd(r, t, "LogSoftmaxBackward0", () =>
        {
            r.Begin(t, "cpu_op", "aten::_log_softmax_backward_data", Shapes.Of(BF16, [[Tokens, Vocab], [Tokens, Vocab]], "1", "15"));
            r.Launch(t, r.Compute, new KernelSpec(
                "void at::native::(anonymous namespace)::cunn_SoftMaxBackward<8, c10::BFloat16, float, c10::BFloat16, at::native::(anonymous namespace)::LogSoftMaxBackwardEpilogue>"
                + "(c10::BFloat16*, c10::BFloat16 const*, c10::BFloat16 const*, long)", Bandwidth(Tokens * Vocab * 2 * 3), 40, 0, [(int)Tokens, 1, 1], [1024, 1, 1]));
            r.End(t);
        });
        LinearBackward(r, t, Hidden, Vocab, bias: false);
        LayerNormBackward(r, t);

        long bucket = 0;
        for (var layer = Layers - 1; layer >= 0; layer--)
        {
            Autograd(r, t, "AddBackward0", () => r.Spend(t, 3));
            LinearBackward(r, t, Ffn, Hidden);
            Autograd(r, t, "GeluBackward0", () =>
            {
                r.Begin(t, "cpu_op", "aten::gelu_backward", Shapes.Of(BF16, [[Batch, Seq, Ffn], [Batch, Seq, Ffn]], "tanh"));
                r.Launch(t, r.Compute, Elementwise(
                    "at::native::GeluBackwardCUDAKernelImpl(at::TensorIteratorBase&, at::native::GeluType)::{lambda()#1}::operator()() const::{lambda()#4}::operator()() const::{lambda(c10::BFloat16, c10::BFloat16)#1}",
                    3, Bandwidth(Tokens * Ffn * 2 * 3)));
                r.End(t);
            });
            LinearBackward(r, t, Hidden, Ffn);
            LayerNormBackward(r, t);
            Autograd(r, t, "AddBackward0", () => r.Spend(t, 3));
            LinearBackward(r, t, Hidden, Hidden);
            Autograd(r, t, "ScaledDotProductFlashAttentionBackward0", () =>
            {
                r.Begin(t, "cpu_op", "aten::_scaled_dot_product_flash_attention_backward",
                    Shapes.Of(BF16, [[Batch, Heads, Seq, 128], [Batch, Heads, Seq, 128], [Batch, Heads, Seq, 128], [Batch, Heads, Seq, 128]], "1024", "1024", "0.", "True"));
                r.Begin(t, "cpu_op", "aten::_flash_attention_backward",
                    Shapes.Of(BF16, [[Batch, Seq, Heads, 128], [Batch, Seq, Heads, 128], [Batch, Seq, Heads, 128], [Batch, Seq, Heads, 128]], "1024", "1024", "0.", "True"));
                r.Leaf(t, "aten::empty_like", null, 4);
                r.Leaf(t, "aten::zeros", null, 6);
                const string traits = "pytorch_flash::Flash_bwd_kernel_traits<128, 64, 128, 8, 2, 4, 2, false, false, cutlass::bfloat16_t, pytorch_flash::Flash_kernel_traits<128, 64, 128, 8, cutlass::bfloat16_t> >";
                r.Launch(t, r.Compute, new KernelSpec($"void pytorch_flash::flash_bwd_dot_do_o_kernel<true, {traits}>(pytorch_flash::Flash_bwd_params)",
                    14, 40, 0, [16, Batch, Heads], [256, 1, 1]));
                r.Launch(t, r.Compute, new KernelSpec(
                    $"void pytorch_flash::flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel<{traits}, false, true, false, false, false, true, false, false>(pytorch_flash::Flash_bwd_params)",
                    (5.0 * Batch * Seq * Seq * Hidden / 330_000_000.0), 255, 98_304, [16, Batch, Heads], [256, 1, 1]));
                r.Launch(t, r.Compute, new KernelSpec($"void pytorch_flash::flash_bwd_convert_dq_kernel<{traits}>(pytorch_flash::Flash_bwd_params, int)",
                    Bandwidth(Tokens * Hidden * 6), 64, 0, [16, Batch, Heads], [256, 1, 1]));
                r.End(t);
                r.End(t);
            });
            Autograd(r, t, "UnbindBackward0", () => r.Leaf(t, "aten::stack", Shapes.Of(BF16, [[Batch, Seq, Heads, 128], [Batch, Seq, Heads, 128], [Batch, Seq, Heads, 128]], "2"), 12));
            LinearBackward(r, t, Hidden, 3 * Hidden);
            LayerNormBackward(r, t);
            for (var p = 0; p < 3; p++)
            {
                Autograd(r, t, "torch::autograd::AccumulateGrad", () => r.Leaf(t, "aten::detach", Shapes.Of(BF16, [[Hidden]]), 3));
            }

            bucket += (4L * Hidden * Hidden) + (2L * Hidden * Ffn);
            if (layer % 2 == 0)
            {
                yield return AllReduce(r, t, bucket);
                bucket = 0;
            }
        }

        Autograd(r, t, "EmbeddingBackward0", () =>
        {
            r.Begin(t, "cpu_op", "aten::embedding_dense_backward", Shapes.Of(BF16, [[Batch, Seq, Hidden], [Batch, Seq]], "50304", "-1", "False"));
            r.Launch(t, r.Compute, Elementwise("at::native::FillFunctor<c10::BFloat16>", 1, Bandwidth((long)Vocab * Hidden * 2)));
            r.Launch(t, r.Compute, new KernelSpec(
                "void at::native::(anonymous namespace)::embedding_backward_feature_kernel<c10::BFloat16, float, long>(long const*, c10::BFloat16 const*, c10::BFloat16*, int, long, int)",
                Bandwidth(Tokens * Hidden * 6), 40, 4_352, [64, 1, 1], [32, 4, 1]));
            r.End(t);
        });
        yield return AllReduce(r, t, 2L * Vocab * Hidden);
    }

    /// <summary>DDP's bucket all-reduce hook: record_param_comms around the NCCL launch on the comms stream.</summary>
    private PendingCollective AllReduce(SampleRank r, HostThread t, long elements)
    {
        var seq = _collectiveSequence++ / WorldSize;
        var collective = new List<(string, string)>
        {
            ("Collective name", "\"allreduce\""), ("dtype", "\"BFloat16\""), ("In msg nelems", SampleRank.Num(elements)),
            ("Out msg nelems", SampleRank.Num(elements)), ("Group size", "2"), ("Process Group Name", "\"0\""),
            ("Process Group Description", "\"default_pg\""), ("Process Group Ranks", "\"[0, 1]\""), ("In split size", "\"[]\""),
            ("Out split size", "\"[]\""), ("Rank", SampleRank.Num(r.Rank)), ("Seq", SampleRank.Num(seq)),
        };
        r.Begin(t, "cpu_op", "record_param_comms",
            Shapes.Of(BF16, [[elements]], "", "0", "", "", "", "[]", "[]", "2"),
            [.. collective.Take(10), ("Global rank start", "0"), ("Global rank stride", "1"), .. collective.Skip(10)]);
        r.Begin(t, "user_annotation", "nccl:all_reduce");
        r.StreamWait(t, r.Compute, r.Comms);
        var kernel = r.Launch(t, r.Comms, new KernelSpec("ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", 0, 96, 0, [2, 1, 1], [544, 1, 1]),
            collective, waitForOtherRanks: true);
        r.End(t);
        r.End(t);
        return new PendingCollective(r, kernel, elements * 2);
    }

    private static void Autograd(SampleRank r, HostThread t, string node, Action body)
    {
        var seq = r.NextSequence();
        r.Begin(t, "cpu_op", $"autograd::engine::evaluate_function: {node}", sequence: seq, extra: [("Fwd thread id", "1")]);
        r.Begin(t, "cpu_op", node, sequence: seq, extra: [("Fwd thread id", "1")]);
        body();
        r.End(t);
        r.End(t);
        r.Spend(t, 4);
    }

    private static void LayerNorm(SampleRank r, HostThread t)
    {
        r.Begin(t, "cpu_op", "aten::layer_norm", Shapes.Of(BF16, [[Batch, Seq, Hidden], [Hidden], [Hidden]], "[2048]", "1e-05", "True"));
        r.Begin(t, "cpu_op", "aten::native_layer_norm", Shapes.Of(BF16, [[Batch, Seq, Hidden], [Hidden], [Hidden]], "[2048]", "1e-05"));
        r.Leaf(t, "aten::empty", null, 3);
        r.Leaf(t, "aten::empty", null, 2);
        r.Launch(t, r.Compute, new KernelSpec(
            "void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::BFloat16, float>(int, float, c10::BFloat16 const*, c10::BFloat16 const*, c10::BFloat16 const*, float*, float*, c10::BFloat16*)",
            Bandwidth(Tokens * Hidden * 2 * 2), 30, 0, [(int)Tokens, 1, 1], [512, 1, 1]));
        r.End(t);
        r.End(t);
    }

    private static void LayerNormBackward(SampleRank r, HostThread t) => Autograd(r, t, "NativeLayerNormBackward0", () =>
    {
        r.Begin(t, "cpu_op", "aten::native_layer_norm_backward",
            Shapes.Of(BF16, [[Batch, Seq, Hidden], [Batch, Seq, Hidden], [Batch, Seq, 1], [Batch, Seq, 1], [Hidden], [Hidden]], "[2048]", "[True, True, True]"));
        r.Launch(t, r.Compute, new KernelSpec(
            "void at::native::(anonymous namespace)::layer_norm_grad_input_kernel_vectorized<c10::BFloat16, float>(c10::BFloat16 const*, c10::BFloat16 const*, float const*, float const*, c10::BFloat16 const*, c10::BFloat16*, int)",
            Bandwidth(Tokens * Hidden * 2 * 3), 40, 0, [(int)Tokens, 1, 1], [128, 1, 1]));
        r.Launch(t, r.Compute, new KernelSpec(
            "void at::native::(anonymous namespace)::GammaBetaBackwardCUDAKernel_32x32<c10::BFloat16, float>(long, long, c10::BFloat16 const*, c10::BFloat16 const*, float const*, float const*, c10::BFloat16*, c10::BFloat16*)",
            Bandwidth(Tokens * Hidden * 2 * 2), 56, 8_448, [64, 1, 1], [32, 32, 1]));
        r.End(t);
    });

    private static void Add(SampleRank r, HostThread t, int width)
    {
        r.Begin(t, "cpu_op", "aten::add", Shapes.Of(BF16, [[Batch, Seq, width], [Batch, Seq, width]], "1"));
        r.Launch(t, r.Compute, Elementwise("at::native::CUDAFunctor_add<c10::BFloat16>", 3, Bandwidth(Tokens * width * 2 * 3)));
        r.End(t);
    }

    private static void Linear(SampleRank r, HostThread t, int input, int output, bool sm90, bool bias = true)
    {
        r.Begin(t, "cpu_op", "aten::linear", bias
            ? Shapes.Of(BF16, [[Batch, Seq, input], [output, input], [output]])
            : Shapes.Of(BF16, [[Batch, Seq, input], [output, input]], ""));
        r.Begin(t, "cpu_op", "aten::t", Shapes.Of(BF16, [[output, input]]));
        r.Leaf(t, "aten::transpose", Shapes.Of(BF16, [[output, input]], "0", "1"), 3);
        r.Leaf(t, "aten::as_strided", Shapes.Of(BF16, [[output, input]], $"[{input}, {output}]", $"[1, {input}]", ""), 2);
        r.End(t);
        r.Leaf(t, "aten::view", Shapes.Of(BF16, [[Batch, Seq, input]], $"[{Tokens}, {input}]"), 3);
        r.Begin(t, "cpu_op", bias ? "aten::addmm" : "aten::mm", bias
            ? Shapes.Of(BF16, [[output], [Tokens, input], [input, output]], "1", "1")
            : Shapes.Of(BF16, [[Tokens, input], [input, output]]));
        r.Launch(t, r.Compute, Gemm(Tokens, output, input, sm90));
        r.End(t);
        r.Leaf(t, "aten::view", Shapes.Of(BF16, [[Tokens, output]], $"[{Batch}, {Seq}, {output}]"), 3);
        r.End(t);
    }

    private static void LinearBackward(SampleRank r, HostThread t, int input, int output, bool bias = true) =>
        Autograd(r, t, bias ? "AddmmBackward0" : "MmBackward0", () =>
        {
            r.Leaf(t, "aten::t", Shapes.Of(BF16, [[input, output]]), 5);
            r.Begin(t, "cpu_op", "aten::mm", Shapes.Of(BF16, [[Tokens, output], [output, input]]));
            r.Launch(t, r.Compute, Gemm(Tokens, input, output, sm90: true));
            r.End(t);
            r.Leaf(t, "aten::t", Shapes.Of(BF16, [[Tokens, output]]), 5);
            r.Begin(t, "cpu_op", "aten::mm", Shapes.Of(BF16, [[output, Tokens], [Tokens, input]]));
            r.Launch(t, r.Compute, Gemm(output, input, Tokens, sm90: output >= Hidden));
            r.End(t);
            if (bias)
            {
                r.Begin(t, "cpu_op", "aten::sum", Shapes.Of(BF16, [[Tokens, output]], "[0]", "True", ""));
                r.Launch(t, r.Compute, new KernelSpec(
                    "void at::native::reduce_kernel<512, 1, at::native::ReduceOp<c10::BFloat16, at::native::func_wrapper_t<float, at::native::sum_functor<c10::BFloat16, float, c10::BFloat16>::operator()"
                    + "(at::TensorIterator&)::{lambda(float, float)#1}>, unsigned int, c10::BFloat16, 4, 4> >(at::native::ReduceOp<c10::BFloat16, at::native::func_wrapper_t<float, "
                    + "at::native::sum_functor<c10::BFloat16, float, c10::BFloat16>::operator()(at::TensorIterator&)::{lambda(float, float)#1}>, unsigned int, c10::BFloat16, 4, 4>)",
                    Bandwidth(Tokens * output * 2), 32, 16, [output / 32, 16, 1], [32, 16, 1]));
                r.End(t);
            }
        });

    private static KernelSpec Gemm(long m, long n, long k, bool sm90)
    {
        var micros = 2.0 * m * n * k / 560_000_000.0;
        return sm90
            ? new KernelSpec("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64_warpgroupsize2x1x1_execute_segment_k_off_kernel__5x_cublas",
                (micros), 168, 213_248, [(int)Math.Min(132, (m * n) / 32_768), 1, 1], [384, 1, 1])
            : new KernelSpec("ampere_bf16_s16816gemm_bf16_256x128_ldg8_f2f_stages_64x3_tn",
                (micros * 1.45), 238, 73_728, [(int)(n / 128), (int)(m / 256), 1], [256, 1, 1]);
    }

    private static KernelSpec Elementwise(string functor, int arrays, double micros) => new(
        $"void at::native::vectorized_elementwise_kernel<4, {functor}, at::detail::Array<char*, {arrays}> >(int, {functor}, at::detail::Array<char*, {arrays}>)",
        (micros), 26, 0, [8_192, 1, 1], [128, 1, 1]);

    /// <summary>Time to move <paramref name="bytes"/> at HBM3's effective ~2.8 TB/s, µs.</summary>
    private static double Bandwidth(long bytes) => 2.5 + (bytes / 2_800_000.0);

    private static string Render(SampleRank r)
    {
        var events = new List<SampleEvent>(r.Events.Count + 64);
        var pid = SampleRank.Num(r.Pid);
        void Meta(string name, string p, string t, string key, string value) =>
            events.Add(new SampleEvent { Phase = "M", Name = name, Pid = p, Tid = t, Ts = StartNs, Args = [(key, value)] });

        Meta("process_name", pid, "0", "name", "\"python3.11\"");
        Meta("process_labels", pid, "0", "labels", "\"CPU\"");
        Meta("process_sort_index", pid, "0", "sort_index", pid);
        foreach (var device in new[] { 0, 1 })
        {
            var d = SampleRank.Num(device);
            Meta("process_name", d, "0", "name", "\"python3.11\"");
            Meta("process_labels", d, "0", "labels", $"\"GPU {device}\"");
            Meta("process_sort_index", d, "0", "sort_index", SampleRank.Num(16_777_216 + device));
        }

        foreach (var stream in new[] { 7, 20 })
        {
            var s = SampleRank.Num(stream);
            Meta("thread_name", SampleRank.Num(r.Device), s, "name", $"\"stream {stream} \"");
            Meta("thread_sort_index", SampleRank.Num(r.Device), s, "sort_index", SampleRank.Num(stream));
        }

        foreach (var thread in new[] { r.Main, r.Autograd })
        {
            var tid = SampleRank.Num(thread.Tid);
            Meta("thread_name", pid, tid, "name", $"\"thread {thread.Tid} (python3.11)\"");
            Meta("thread_sort_index", pid, tid, "sort_index", tid);
        }

        var body = r.Events.Select((e, i) => (e, i)).OrderBy(x => x.e.Ts).ThenBy(x => x.i).Select(x => x.e).ToList();
        var first = body.Min(e => e.Ts);
        var last = body.Max(e => e.Ts + (e.Dur ?? 0));
        events.AddRange(body);
        events.Add(new SampleEvent
        {
            Phase = "X",
            Category = "Trace",
            Name = "PyTorch Profiler (0)",
            Pid = "\"Spans\"",
            Tid = "\"PyTorch Profiler\"",
            Ts = first - 2_113,
            Dur = last - first + 2_113 + 1_907,
            Args = [("Op count", "0")],
        });
        events.Add(new SampleEvent { Phase = "M", Name = "process_sort_index", Pid = "\"Spans\"", Tid = "0", Ts = first - 2_113, Args = [("sort_index", "536870912")] });
        events.Add(new SampleEvent { Phase = "i", Name = "Iteration Start: PyTorch Profiler", Pid = "\"Traces\"", Tid = "\"Trace PyTorch Profiler\"", Ts = first - 2_113, Scope = "g" });
        events.Add(new SampleEvent { Phase = "i", Name = "Record Window End", Pid = "\"\"", Tid = "\"\"", Ts = last + 1_907, Scope = "g" });

        var sb = new StringBuilder(r.Events.Count * 420);
        sb.Append("{\n  \"schemaVersion\": 1,\n  \"deviceProperties\": [\n");
        for (var device = 0; device < 2; device++)
        {
            sb.Append("    {\n      \"id\": ").Append(device).Append(", \"name\": \"NVIDIA H100 80GB HBM3\", \"totalGlobalMem\": 85029158912,\n")
                .Append("      \"computeMajor\": 9, \"computeMinor\": 0,\n")
                .Append("      \"maxThreadsPerBlock\": 1024, \"maxThreadsPerMultiprocessor\": 2048,\n")
                .Append("      \"regsPerBlock\": 65536, \"warpSize\": 32,\n")
                .Append("      \"sharedMemPerBlock\": 49152, \"numSms\": 132\n")
                .Append("    , \"regsPerMultiprocessor\": 65536, \"sharedMemPerBlockOptin\": 232448, \"sharedMemPerMultiprocessor\": 233472\n")
                .Append(device == 0 ? "    },\n" : "    }\n");
        }

        sb.Append("  ],\n  \"cupti_version\": 22,\n  \"cuda_runtime_version\": 12040,\n  \"cuda_driver_version\": 12040,\n")
            .Append("  \"distributedInfo\": {\"backend\": \"nccl\", \"rank\": ").Append(r.Rank)
            .Append(", \"world_size\": 2, \"pg_count\": 1, \"pg_config\": [{\"pg_name\": \"0\", \"pg_desc\": \"default_pg\", \"backend_config\": \"cuda:nccl\", \"pg_size\": 2, \"ranks\": [0, 1]}], \"nccl_version\": \"2.21.5\"},\n")
            .Append("  \"record_shapes\": 1,\n  \"with_stack\": 0,\n  \"profile_memory\": 0,\n")
            .Append("  \"trace_id\": \"").Append(r.Rank == 0 ? "5F8E2A90C4D14B67" : "A21C7E03B9F54D18").Append("\",\n")
            .Append("  \"displayTimeUnit\": \"ms\",\n  \"baseTimeNanoseconds\": ").Append(BaseTimeNanoseconds).Append(",\n")
            .Append("  \"traceEvents\": [\n");
        for (var i = 0; i < events.Count; i++)
        {
            events[i].WriteTo(sb);
            sb.Append(i + 1 < events.Count ? ",\n" : "\n");
        }

        sb.Append("  ],\n  \"traceName\": \"./log/headroom-sample/rank-").Append(r.Rank).Append(".pt.trace.json\"\n}\n");
        return sb.ToString();
    }
}
