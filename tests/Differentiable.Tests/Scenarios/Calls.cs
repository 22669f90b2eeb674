using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Calls between [Differentiable] methods, nested types, [NoDerivative] and name collisions.</summary>
public static partial class Calls
{
    [Differentiable]
    public static double Square(double x) => x * x;

    [Differentiable]
    public static double SumOfSquares(double x, double y) => Square(x) + Square(y) * CallsHelpers.Scale(y, 3);

    [Differentiable]
    public static double UsesNested(double x) => Nested.Cube(x) - Square(x + 1);

    /// <summary>A parameter already named dx: the tangent of x becomes dx1, the tangent of dx ddx.</summary>
    [Differentiable]
    public static double AlreadyNamedDx(double x, double dx) => x * dx + dx;

    /// <summary>weight is data: no tangent, no adjoint.</summary>
    [Differentiable]
    public static double WithNoDerivative(double x, [NoDerivative] double weight) => weight * x * x;

    /// <summary>Recursion through the generated derivatives: x^n by squaring.</summary>
    [Differentiable]
    public static double PowerBySquaring(double x, int n)
    {
        if (n == 0)
        {
            return 1;
        }

        double half = PowerBySquaring(x, n / 2);
        return n % 2 == 0 ? half * half : half * half * x;
    }

    public static partial class Nested
    {
        [Differentiable]
        internal static double Cube(double x) => x * Square(x);
    }
}

/// <summary>Another type: calls reach it through its generated derivatives.</summary>
public static partial class CallsHelpers
{
    [Differentiable]
    public static double Scale(double v, int times) => v * times;
}

/// <summary>Instance methods of a type that is not a model: fields are constants.</summary>
public partial class Spring
{
    private const double Rest = 1.0;
    private readonly double stiffness;

    public Spring(double stiffness) => this.stiffness = stiffness;

    [Differentiable]
    public double Energy(double x) => 0.5 * stiffness * (x - Rest) * (x - Rest);

    [Differentiable]
    public double Scaled(double x, double s) => s * Energy(x) / (x + 2) + this.Energy(s);
}
