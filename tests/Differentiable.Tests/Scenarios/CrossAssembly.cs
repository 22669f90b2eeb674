using System;
using Differentiable;
using Differentiable.Tests.ExternalMath;
using Differentiable.Tests.Library;

namespace Differentiable.Tests.Scenarios;

/// <summary>Derivatives chained through another assembly's generated members and registrations.</summary>
public static partial class CrossAssembly
{
    /// <summary>Three calls deep into the library: LogNormalCdf → NormalCdf → Erfc, whose derivative the library registers.</summary>
    [Differentiable]
    public static double ScaledLogNormalCdf(double x, double sigma) => x * Distributions.LogNormalCdf(x, 0.2, sigma);

    /// <summary>Second order through another assembly's Order = 2 method: its generated Hvp is the rule.</summary>
    [Differentiable(Order = 2)]
    public static double LogisticLikelihood(double x, double mean, double scale) =>
        Math.Log(Distributions.LogisticCdf(x * x, mean, scale)) + x * Distributions.LogisticCdf(mean, x, 2.0);

    /// <summary>Calls Erfc directly: the library's registration serves this assembly too.</summary>
    [Differentiable]
    public static double UpperTail(double z) => 0.5 * SpecialFunctions.Erfc(z / Math.Sqrt(2.0));

    /// <summary>(a) Span arguments pass this method's shadows and tangents to the library's DotVjp and DotJvp.</summary>
    [Differentiable]
    public static double DotTanh(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => Math.Tanh(Vectors.Dot(a, b));

    /// <summary>(b) The same span for both parameters: Dot(x, x) gets a pooled second shadow.</summary>
    [Differentiable]
    public static double Norm(ReadOnlySpan<double> x) => Math.Sqrt(Vectors.Dot(x, x));

    /// <summary>(b) The float variant: DotF(x, x).</summary>
    [Differentiable]
    public static float NormF(ReadOnlySpan<float> x) => MathF.Sqrt(Vectors.DotF(x, x));

    /// <summary>(a) double[] arguments pass this method's shadows to the library's WeightedSquaresVjp.</summary>
    [Differentiable]
    public static double WeightedNorm(double[] x, double[] w) => Math.Sqrt(Vectors.WeightedSquares(w, x));

    /// <summary>(c) [NoDerivative] data passed to a double[] parameter the callee might write: no shadow, a pooled scratch one.</summary>
    [Differentiable]
    public static double WeightedNormOfData(double[] x, [NoDerivative] double[] w) => Math.Sqrt(Vectors.WeightedSquares(w, x));

    /// <summary>(b) and (c) in one method: Dot(x, x) and Dot(x, data).</summary>
    [Differentiable]
    public static double NormPlusProjection(ReadOnlySpan<double> x, [NoDerivative] double[] w) => Math.Sqrt(Vectors.Dot(x, x)) + Vectors.Dot(x, w);

    /// <summary>(d) A local array rewritten every iteration after being passed to Dot: saved on the tape before each call.</summary>
    [Differentiable]
    public static double ScratchDotsInLoop(ReadOnlySpan<double> x, int iterations)
    {
        var t = new double[x.Length];
        double s = 0;
        for (int k = 0; k < iterations; k++)
        {
            for (int i = 0; i < x.Length; i++)
            {
                t[i] = Math.Sin(x[i] * (k + 1)) + s * 0.1;
            }

            s += Vectors.Dot(t, x);
        }

        return s;
    }

    /// <summary>(d) and (e) Two reused local arrays per iteration: one read by Softplus, one it writes, then Dot.</summary>
    [Differentiable]
    public static double SoftplusInLoop(ReadOnlySpan<double> x, int iterations)
    {
        var u = new double[x.Length];
        var y = new double[x.Length];
        double s = 0;
        for (int k = 0; k < iterations; k++)
        {
            for (int i = 0; i < x.Length; i++)
            {
                u[i] = x[i] * (k + 1) + s * 0.1;
            }

            Vectors.Softplus(u, y);
            s += Vectors.Dot(y, x);
        }

        return s;
    }

    /// <summary>(d) and (e) A local array scaled in place by the library every iteration and read after each call.</summary>
    [Differentiable]
    public static double RepeatedScale(ReadOnlySpan<double> x, double s, int iterations)
    {
        var t = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            t[i] = x[i];
        }

        double total = 0;
        for (int k = 0; k < iterations; k++)
        {
            Vectors.Scale(t, s);
            total += Vectors.Dot(t, x);
        }

        return total;
    }

    /// <summary>(e) A stack buffer written by the library's Softplus (an output span), then read by Dot.</summary>
    [Differentiable]
    public static double SoftplusDot(ReadOnlySpan<double> x)
    {
        Span<double> y = stackalloc double[x.Length];
        Vectors.Softplus(x, y);
        return Vectors.Dot(y, x);
    }

    /// <summary>(e) and (b) This method's span parameter scaled in place by the library, then Dot(a, a).</summary>
    [Differentiable]
    public static double ScaleThenSquare(Span<double> a, double s)
    {
        Vectors.Scale(a, s);
        return Vectors.Dot(a, a);
    }

    /// <summary>(e) This method's own output span passed on to the library's Softplus, which writes it.</summary>
    [Differentiable]
    public static void SoftplusOut(ReadOnlySpan<double> x, Span<double> y) => Vectors.Softplus(x, y);

    /// <summary>(c) A local array of constants (no shadow) passed to Dot gets a pooled shadow that is dropped.</summary>
    [Differentiable]
    public static double DotOnes(ReadOnlySpan<double> x)
    {
        var ones = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            ones[i] = 1;
        }

        return Vectors.Dot(x, ones);
    }

    /// <summary>(e) twice: this method's own output span written by two library calls in a row (each re-runs on a pooled copy).</summary>
    [Differentiable]
    public static void ScaledSoftplus(ReadOnlySpan<double> x, double s, Span<double> y)
    {
        Vectors.Softplus(x, y);
        Vectors.Scale(y, s);
    }
}
