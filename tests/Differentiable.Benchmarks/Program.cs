using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Differentiable.Benchmarks;

/// <summary>
/// Runs the benchmarks BenchmarkSwitcher selects (<c>--filter</c>, <c>--list flat</c>, or interactively).
/// <c>--quick</c> trades precision for time: a short job, for a first look in about a minute per four benchmarks.
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --quick --filter '*Compiler*'</code>
/// <c>--validate</c> only checks that the benchmark inputs generate and analyze cleanly;
/// <c>--profile-steps</c> prints where a warm generator run spends its time, by pipeline step.
/// <c>--gmm-ratio</c> (with or without <c>--quick</c>) times the GMM objective, its hand gradient and its generated
/// gradients without BenchmarkDotNet and prints, per size, the gradient/objective ratios, the bytes allocated per call
/// and the bytes each generated gradient saves on the tape (see <see cref="Gmm.GmmRatio"/>).
/// <c>--tape-bytes</c> prints the bytes one generated gradient call saves on the tape (<see cref="Tape.LastPeakBytes"/>),
/// in total and per loop iteration, for a damped oscillator (per Euler step) and the GMM at each size and variant (per
/// data point and per point and component); see <see cref="TapeBytes"/>.
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --quick --filter '*Gmm*'</code>
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --gmm-ratio --quick</code>
/// <code>dotnet run -c Release --project tests/Differentiable.Benchmarks -- --tape-bytes</code>
/// <c>--hvp-ratio</c> times the generated Hessian-vector product over the generated gradient (Rosenbrock n = 1,000 and
/// the GMM at (10, 25, 1000)); see <see cref="SecondOrder.HvpRatio"/>.
/// <c>--jacobian-ratio</c> times the widened Jacobian of an R^64 → R^64 Bratu residual against 64 single Jvp calls, and
/// the Hessian at n = 100; see <see cref="Jacobians.JacobianRatio"/>.
/// </summary>
public static class Program
{
    /// <summary>Whether this run has <c>--quick</c> (benchmark classes may shorten their iterations further).</summary>
    public static bool Quick { get; private set; }

    public static void Main(string[] args)
    {
        if (args.Contains("--validate"))
        {
            Compiler.LargeInput.Validate();
            Console.WriteLine($"The compiler benchmarks' input is valid: {Compiler.LargeInput.MethodCount} methods generated, no diagnostics.");
            return;
        }

        if (args.Contains("--profile-steps"))
        {
            Compiler.StepProfile.Run();
            return;
        }

        if (args.Contains("--tape-bytes"))
        {
            TapeBytes.Run();
            return;
        }

        bool quick = args.Contains("--quick");
        Quick = quick;
        if (args.Contains("--hvp-ratio"))
        {
            SecondOrder.HvpRatio.Run(quick);
            return;
        }

        if (args.Contains("--jacobian-ratio"))
        {
            Jacobians.JacobianRatio.Run(quick);
            return;
        }

        if (args.Contains("--gmm-ratio"))
        {
            Gmm.GmmRatio.Run(quick);
            return;
        }

        string[] rest = args.Where(a => a != "--quick").ToArray();

        IConfig config = DefaultConfig.Instance.AddColumn(StatisticColumn.Median);
        if (quick)
        {
            config = config.AddJob(Job.ShortRun
                .WithWarmupCount(5)
                .WithIterationCount(7)
                .WithLaunchCount(1)
                // Roslyn is large and not precompiled here: without these, its code is still being tiered up
                // (tier 0 → instrumented → tier 1) during the few iterations a short job runs, and the times fall
                // iteration by iteration. Without dynamic PGO the steady state is reached at once, but is slower
                // (some 10-30% on the generator) than the default job's, which keeps PGO and warms up adaptively.
                .WithEnvironmentVariable("DOTNET_TC_CallCountingDelayMs", "0")
                .WithEnvironmentVariable("DOTNET_TieredPGO", "0")
                .WithId("Quick"));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, config);
    }
}
