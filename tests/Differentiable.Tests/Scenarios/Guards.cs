using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Guard clauses: throw statements, throw expressions and throw helpers, which every entry point keeps.</summary>
public static partial class Guards
{
    /// <summary>A throw helper, a throw statement with an interpolated message, a throw in a loop and a throw expression.</summary>
    [Differentiable]
    public static double SumOfRoots(double x, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (x < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, $"x must not be negative, got {x:F2} with n = {n,3}.");
        }

        double s = 0;
        for (int i = 0; i < n; i++)
        {
            if (s > 1e6)
            {
                throw new InvalidOperationException("the sum diverged");
            }

            s += Math.Sqrt(x + i);
        }

        return x > 100 ? throw new ArgumentException("too large: {not a hole}", nameof(x)) : s * x;
    }
}
