using Differentiable.CodeFixes;

namespace Differentiable.Analyzers.Tests;

/// <summary>One before/after test per code fix: the fix's exact output, which compiles and clears the diagnostic.</summary>
public class CodeFixTests
{
    // ------------------------------------------------------------ DIFF0001: Make 'T' partial

    [Fact]
    public Task MakePartial_AddsPartialModifier() => CodeFixVerifier.VerifyAsync(
        new MakePartialCodeFixProvider(),
        """
        using Differentiable;

        namespace Physics;

        public static class {|DIFF0001:Model|}
        {
            [Differentiable]
            public static double F(double x) => x * x;
        }
        """,
        "Make 'Model' partial",
        MakePartialCodeFixProvider.EquivalenceKey,
        """
        using Differentiable;

        namespace Physics;

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x) => x * x;
        }
        """);

    [Fact]
    public Task MakePartial_WithoutModifiers_PutsPartialWhereTheKeywordWas() => CodeFixVerifier.VerifyAsync(
        new MakePartialCodeFixProvider(),
        """
        using Differentiable;

        namespace Physics
        {
            [System.Serializable]
            class {|DIFF0001:Model|}
            {
                [Differentiable]
                public double F(double x) => x * x;
            }
        }
        """,
        "Make 'Model' partial",
        MakePartialCodeFixProvider.EquivalenceKey,
        """
        using Differentiable;

        namespace Physics
        {
            [System.Serializable]
            partial class Model
            {
                [Differentiable]
                public double F(double x) => x * x;
            }
        }
        """);

    // ------------------------------------------------------------ DIFF0003: a registration stub

    [Fact]
    public Task AddStub_WritesJvpAndVjpRegistrationsAtTheEndOfTheNamespace() => CodeFixVerifier.VerifyAsync(
        new DerivativeStubCodeFixProvider(),
        """
        using System;
        using Differentiable;

        namespace Physics
        {
            public static class Special
            {
                public static double Erf(double x) => Math.Tanh(x);
            }

            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, double y) => {|DIFF0003:Special.Erf(x * y)|} + y;
            }
        }
        """,
        "Add a [DerivativeOf] registration stub for 'Erf'",
        DerivativeStubCodeFixProvider.EquivalenceKey,
        """
        using System;
        using Differentiable;

        namespace Physics
        {
            public static class Special
            {
                public static double Erf(double x) => Math.Tanh(x);
            }

            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, double y) => Special.Erf(x * y) + y;
            }

            public static class ErfDerivatives
            {
                [DerivativeOf(typeof(Special), nameof(Special.Erf))]
                public static (double Value, double Tangent) ErfJvp(double x, double dx)
                {
                    double value = Special.Erf(x);
                    // TODO: forward mode. Return (value, tangent) with tangent = ∂Erf/∂x · dx.
                    throw new NotImplementedException("Derivative of Erf: write ∂Erf/∂x here.");
                }

                [DerivativeOf(typeof(Special), nameof(Special.Erf))]
                public static double ErfVjp(double x, double dResult, out double dx)
                {
                    double value = Special.Erf(x);
                    // TODO: reverse mode. Set dx = dResult · ∂Erf/∂x, then return value.
                    throw new NotImplementedException("Derivative of Erf: write ∂Erf/∂x here.");
                }
            }
        }
        """);

    [Fact]
    public Task AddStub_PassesNonFloatingParameters_AndAvoidsTakenNames() => CodeFixVerifier.VerifyAsync(
        new DerivativeStubCodeFixProvider(),
        """
        using Differentiable;

        namespace Physics;

        public static class Special
        {
            public static float Scale(float x, int n, float dx, [NoDerivative] float c) => x * n + dx * c;
        }

        public static class ScaleDerivatives
        {
        }

        public static partial class Model
        {
            [Differentiable]
            public static float F(float x, int n) => {|DIFF0003:Special.Scale(x, n, x, 2f)|};
        }
        """,
        "Add a [DerivativeOf] registration stub for 'Scale'",
        DerivativeStubCodeFixProvider.EquivalenceKey,
        """
        using Differentiable;

        namespace Physics;

        public static class Special
        {
            public static float Scale(float x, int n, float dx, [NoDerivative] float c) => x * n + dx * c;
        }

        public static class ScaleDerivatives
        {
        }

        public static partial class Model
        {
            [Differentiable]
            public static float F(float x, int n) => Special.Scale(x, n, x, 2f);
        }

        public static class ScaleDerivatives2
        {
            [DerivativeOf(typeof(Special), nameof(Special.Scale))]
            public static (float Value, float Tangent) ScaleJvp(float x, int n, float dx, float c, float dx1, float ddx)
            {
                float value = Special.Scale(x, n, dx, c);
                // TODO: forward mode. Return (value, tangent) with tangent = ∂Scale/∂x · dx1 + ∂Scale/∂dx · ddx.
                throw new System.NotImplementedException("Derivative of Scale: write ∂Scale/∂x, ∂Scale/∂dx here.");
            }

            [DerivativeOf(typeof(Special), nameof(Special.Scale))]
            public static float ScaleVjp(float x, int n, float dx, float c, float dResult, out float dx1, out float ddx)
            {
                float value = Special.Scale(x, n, dx, c);
                // TODO: reverse mode. Set dx1 = dResult · ∂Scale/∂x, ddx = dResult · ∂Scale/∂dx, then return value.
                throw new System.NotImplementedException("Derivative of Scale: write ∂Scale/∂x, ∂Scale/∂dx here.");
            }
        }
        """);

    [Fact]
    public Task AddStub_WithAForwardModeRegistration_WritesOnlyTheReverseMode() => CodeFixVerifier.VerifyAsync(
        new DerivativeStubCodeFixProvider(),
        """
        using System;
        using Differentiable;

        public static class Special
        {
            public static double Erf(double x) => Math.Tanh(x);
        }

        public static class Forward
        {
            [DerivativeOf(typeof(Special), nameof(Special.Erf))]
            public static (double Value, double Tangent) ErfJvp(double x, double dx) => (Special.Erf(x), dx);
        }

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x) => {|DIFF0003:Special.Erf(x)|};
        }
        """,
        "Add a [DerivativeOf] registration stub for 'Erf'",
        DerivativeStubCodeFixProvider.EquivalenceKey,
        """
        using System;
        using Differentiable;

        public static class Special
        {
            public static double Erf(double x) => Math.Tanh(x);
        }

        public static class Forward
        {
            [DerivativeOf(typeof(Special), nameof(Special.Erf))]
            public static (double Value, double Tangent) ErfJvp(double x, double dx) => (Special.Erf(x), dx);
        }

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x) => Special.Erf(x);
        }

        public static class ErfDerivatives
        {
            [DerivativeOf(typeof(Special), nameof(Special.Erf))]
            public static double ErfVjp(double x, double dResult, out double dx)
            {
                double value = Special.Erf(x);
                // TODO: reverse mode. Set dx = dResult · ∂Erf/∂x, then return value.
                throw new NotImplementedException("Derivative of Erf: write ∂Erf/∂x here.");
            }
        }
        """);

    [Fact]
    public Task AddStub_ForAFrameworkMethod_NamesTheValueApartFromItsParameters() => CodeFixVerifier.VerifyAsync(
        new DerivativeStubCodeFixProvider(),
        """
        using System;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static float F(double x) => {|DIFF0003:Convert.ToSingle(x)|} * 2f;
        }
        """,
        "Add a [DerivativeOf] registration stub for 'ToSingle'",
        DerivativeStubCodeFixProvider.EquivalenceKey,
        """
        using System;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static float F(double x) => Convert.ToSingle(x) * 2f;
        }

        public static class ToSingleDerivatives
        {
            [DerivativeOf(typeof(Convert), nameof(Convert.ToSingle))]
            public static (float Value, float Tangent) ToSingleJvp(double value, double dvalue)
            {
                float value1 = Convert.ToSingle(value);
                // TODO: forward mode. Return (value1, tangent) with tangent = ∂ToSingle/∂value · dvalue.
                throw new NotImplementedException("Derivative of ToSingle: write ∂ToSingle/∂value here.");
            }

            [DerivativeOf(typeof(Convert), nameof(Convert.ToSingle))]
            public static float ToSingleVjp(double value, float dResult, out double dvalue)
            {
                float value1 = Convert.ToSingle(value);
                // TODO: reverse mode. Set dvalue = dResult · ∂ToSingle/∂value, then return value1.
                throw new NotImplementedException("Derivative of ToSingle: write ∂ToSingle/∂value here.");
            }
        }
        """);

    [Fact]
    public async Task AddStub_InADocumentWithCrLfLineBreaks_UsesCrLf()
    {
        string markup = """
            using Differentiable;

            namespace Physics
            {
                public static class Special
                {
                    public static double Erf(double x) => x;
                }

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x) => {|DIFF0003:Special.Erf(x)|};
                }
            }
            """.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        string text = await CodeFixVerifier.FixedTextAsync(new DerivativeStubCodeFixProvider(), markup, "Add a [DerivativeOf] registration stub for 'Erf'");
        Assert.Contains("public static class ErfDerivatives\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"[^\r]\n", text);
    }

    [Fact]
    public async Task AddStub_IsNotOfferedForAPrivateCallee()
    {
        IReadOnlyList<string> titles = await CodeFixVerifier.TitlesAsync(
            new DerivativeStubCodeFixProvider(),
            """
            using Differentiable;

            public static partial class Model
            {
                private static double Opaque(double x) => x;

                [Differentiable]
                public static double F(double x) => {|DIFF0003:Opaque(x)|};
            }
            """);
        Assert.Empty(titles);
    }

    // ------------------------------------------------------------ DIFF0003: mark a parameter [NoDerivative]

    [Fact]
    public Task MarkNoDerivative_AddsTheAttributeToTheParameter() => CodeFixVerifier.VerifyAsync(
        new MarkParameterNoDerivativeCodeFixProvider(),
        """
        using System;
        using Differentiable;

        public static class Special
        {
            public static double Erf(double x) => Math.Tanh(x);
        }

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double weight) => x * {|DIFF0003:Special.Erf(2 * weight)|};
        }
        """,
        "Mark parameter 'weight' [NoDerivative]",
        MarkParameterNoDerivativeCodeFixProvider.EquivalenceKeyPrefix + "weight",
        """
        using System;
        using Differentiable;

        public static class Special
        {
            public static double Erf(double x) => Math.Tanh(x);
        }

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, [NoDerivative] double weight) => x * Special.Erf(2 * weight);
        }
        """);

    [Fact]
    public async Task MarkNoDerivative_IsOfferedForEachFloatingParameterTheArgumentsName()
    {
        IReadOnlyList<string> titles = await CodeFixVerifier.TitlesAsync(
            new MarkParameterNoDerivativeCodeFixProvider(),
            """
            using Differentiable;

            public static class Special
            {
                public static double Mix(double a, double b, int n) => a * b * n;
            }

            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, double y, [NoDerivative] double w, double z, int n) => z + {|DIFF0003:Special.Mix(y * w, x, n)|};
            }
            """);
        Assert.Equal(["Mark parameter 'x' [NoDerivative]", "Mark parameter 'y' [NoDerivative]"], titles);
    }

    // ------------------------------------------------------------ DIFF0003 and DIFF0014: NoDerivative.Of

    [Fact]
    public Task WrapCall_WrapsEachFloatingArgument() => CodeFixVerifier.VerifyAsync(
        new WrapInNoDerivativeOfCodeFixProvider(),
        """
        using Differentiable;

        public static class Special
        {
            public static double Mix(double a, double b, int n, float c) => a * b * n * c;
        }

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, float y, int n) => x + {|DIFF0003:Special.Mix(x * 2, 3.0, n, y)|};
        }
        """,
        WrapInNoDerivativeOfCodeFixProvider.Title,
        WrapInNoDerivativeOfCodeFixProvider.CallEquivalenceKey,
        """
        using Differentiable;

        public static class Special
        {
            public static double Mix(double a, double b, int n, float c) => a * b * n * c;
        }

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, float y, int n) => x + Special.Mix(NoDerivative.Of(x * 2), 3.0, n, NoDerivative.Of(y));
        }
        """);

    [Fact]
    public Task WrapCall_AddsTheUsingDirective() => CodeFixVerifier.VerifyAsync(
        new WrapInNoDerivativeOfCodeFixProvider(),
        """
        using System;

        namespace Physics;

        public static class Special
        {
            public static double Erf(double x) => Math.Tanh(x);
        }

        public static partial class Model
        {
            [Differentiable.Differentiable]
            public static double F(double x) => x * {|DIFF0003:Special.Erf(x)|};
        }
        """,
        WrapInNoDerivativeOfCodeFixProvider.Title,
        WrapInNoDerivativeOfCodeFixProvider.CallEquivalenceKey,
        """
        using System;
        using Differentiable;

        namespace Physics;

        public static class Special
        {
            public static double Erf(double x) => Math.Tanh(x);
        }

        public static partial class Model
        {
            [Differentiable.Differentiable]
            public static double F(double x) => x * Special.Erf(NoDerivative.Of(x));
        }
        """);

    [Fact]
    public Task WrapRounding_WrapsTheCastOperand() => CodeFixVerifier.VerifyAsync(
        new WrapInNoDerivativeOfCodeFixProvider(),
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x) => {|DIFF0014:(int)(x * 10)|} + x;
        }
        """,
        WrapInNoDerivativeOfCodeFixProvider.Title,
        WrapInNoDerivativeOfCodeFixProvider.RoundingEquivalenceKey,
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x) => (int)NoDerivative.Of(x * 10) + x;
        }
        """);

    [Fact]
    public Task WrapRounding_WrapsTheRoundingFunctionsArgument() => CodeFixVerifier.VerifyAsync(
        new WrapInNoDerivativeOfCodeFixProvider(),
        """
        using System;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static float F(float x) => {|DIFF0014:MathF.Floor(x)|} * x;
        }
        """,
        WrapInNoDerivativeOfCodeFixProvider.Title,
        WrapInNoDerivativeOfCodeFixProvider.RoundingEquivalenceKey,
        """
        using System;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static float F(float x) => MathF.Floor(NoDerivative.Of(x)) * x;
        }
        """);

    [Fact]
    public Task WrapRounding_FixAll_WrapsEveryConversionAndRounding() => CodeFixVerifier.VerifyFixAllAsync(
        new WrapInNoDerivativeOfCodeFixProvider(),
        """
        using System;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y) => Math.Floor(x) + Math.Round(y) + (long)x * y;
        }
        """,
        "DIFF0014",
        WrapInNoDerivativeOfCodeFixProvider.RoundingEquivalenceKey,
        """
        using System;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, double y) => Math.Floor(NoDerivative.Of(x)) + Math.Round(NoDerivative.Of(y)) + (long)NoDerivative.Of(x) * y;
        }
        """);

    // ------------------------------------------------------------ DIFF0012 and DIFF0016: Remove [NoDerivative]

    [Fact]
    public Task RemoveNoDerivative_WithNoEffect_RemovesTheAttribute() => CodeFixVerifier.VerifyAsync(
        new RemoveNoDerivativeCodeFixProvider(),
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(
                double x,
                [{|DIFF0012:NoDerivative|}] int count) => x * count;
        }
        """,
        RemoveNoDerivativeCodeFixProvider.Title,
        RemoveNoDerivativeCodeFixProvider.EquivalenceKey,
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(
                double x,
                int count) => x * count;
        }
        """);

    [Fact]
    public Task RemoveNoDerivative_FromAnUnusedParameter_RemovesTheAttribute() => CodeFixVerifier.VerifyAsync(
        new RemoveNoDerivativeCodeFixProvider(),
        """
        using System.Diagnostics.CodeAnalysis;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, [NoDerivative, NotNull] double {|DIFF0016:scale|}) => x * x;
        }
        """,
        RemoveNoDerivativeCodeFixProvider.Title,
        RemoveNoDerivativeCodeFixProvider.EquivalenceKey,
        """
        using System.Diagnostics.CodeAnalysis;
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, [NotNull] double scale) => x * x;
        }
        """);

    // ------------------------------------------------------------ DIFF0019: Swap the arguments / Name the arguments

    /// <summary>Two tangents passed in each other's places.</summary>
    private const string SwappedTangents = """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double G(double x, double y) => x * x * y;

            public static double Use(double x, double y, double dx, double dy) =>
                GJvp(x, y, {|DIFF0019:dy|}, dx).Tangent;
        }
        """;

    [Fact]
    public Task SwapArguments_PutsSwappedOutAdjointsBack() => CodeFixVerifier.VerifyAsync(
        new DerivativeArgumentsCodeFixProvider(),
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double G(double x, double y) => x * x * y;

            public static double Use(double x, double y) =>
                GVjp(x, y, 1.0, {|DIFF0019:out double dy|}, out double dx) + dx;
        }
        """,
        DerivativeArgumentsCodeFixProvider.SwapTitle,
        DerivativeArgumentsCodeFixProvider.SwapEquivalenceKey,
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double G(double x, double y) => x * x * y;

            public static double Use(double x, double y) =>
                GVjp(x, y, 1.0, out double dx, out double dy) + dx;
        }
        """,
        withDerivatives: true);

    [Fact]
    public Task SwapArguments_SwapsShadowsOnOtherLines() => CodeFixVerifier.VerifyAsync(
        new DerivativeArgumentsCodeFixProvider(),
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double Dot(double[] a, double[] b) => a[0] * b[0];

            public static double Use(double[] a, double[] b, double[] da, double[] db) =>
                DotGradient(
                    a,
                    b,
                    db, // the first shadow
                    {|DIFF0019:da|});
        }
        """,
        DerivativeArgumentsCodeFixProvider.SwapTitle,
        DerivativeArgumentsCodeFixProvider.SwapEquivalenceKey,
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double Dot(double[] a, double[] b) => a[0] * b[0];

            public static double Use(double[] a, double[] b, double[] da, double[] db) =>
                DotGradient(
                    a,
                    b,
                    da, // the first shadow
                    db);
        }
        """,
        withDerivatives: true);

    [Fact]
    public Task NameArguments_WritesWhatBindsWhere() => CodeFixVerifier.VerifyAsync(
        new DerivativeArgumentsCodeFixProvider(),
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double G(double x, double y) => x * x * y;

            public static double Use(double x, double y, double dx) =>
                GVjp(x, y, {|DIFF0019:dx|}, out double ct, out double dy);
        }
        """,
        DerivativeArgumentsCodeFixProvider.NameTitle,
        DerivativeArgumentsCodeFixProvider.NameEquivalenceKey,
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double G(double x, double y) => x * x * y;

            public static double Use(double x, double y, double dx) =>
                GVjp(x, y, dResult: dx, dx: out double ct, out double dy);
        }
        """,
        withDerivatives: true);

    [Fact]
    public Task NameArguments_OfASwappedPair_NamesBoth() => CodeFixVerifier.VerifyAsync(
        new DerivativeArgumentsCodeFixProvider(),
        SwappedTangents,
        DerivativeArgumentsCodeFixProvider.NameTitle,
        DerivativeArgumentsCodeFixProvider.NameEquivalenceKey,
        """
        using Differentiable;

        public static partial class Model
        {
            [Differentiable]
            public static double G(double x, double y) => x * x * y;

            public static double Use(double x, double y, double dx, double dy) =>
                GJvp(x, y, dx: dy, dy: dx).Tangent;
        }
        """,
        withDerivatives: true);

    [Fact]
    public async Task DerivativeArguments_SwapIsOfferedOnlyForAPairNamedLikeEachOther()
    {
        Assert.Equal(
            [DerivativeArgumentsCodeFixProvider.SwapTitle, DerivativeArgumentsCodeFixProvider.NameTitle],
            await CodeFixVerifier.TitlesAsync(new DerivativeArgumentsCodeFixProvider(), SwappedTangents, withDerivatives: true));

        // dx lands in dResult, but what lands in dx is not named dResult: there is nothing to swap it with.
        Assert.Equal(
            [DerivativeArgumentsCodeFixProvider.NameTitle],
            await CodeFixVerifier.TitlesAsync(
                new DerivativeArgumentsCodeFixProvider(),
                SwappedTangents.Replace("GJvp(x, y, {|DIFF0019:dy|}, dx).Tangent", "GVjp(x, y, {|DIFF0019:dx|}, out double ct, out dy)", StringComparison.Ordinal),
                withDerivatives: true));

        // The same local in both places of a primal and a derivative parameter of different ref kinds: only naming.
        Assert.Equal(
            [DerivativeArgumentsCodeFixProvider.NameTitle],
            await CodeFixVerifier.TitlesAsync(
                new DerivativeArgumentsCodeFixProvider(),
                SwappedTangents.Replace("GJvp(x, y, {|DIFF0019:dy|}, dx).Tangent", "GVjp({|DIFF0019:dx|}, y, 1.0, out x, out dy)", StringComparison.Ordinal),
                withDerivatives: true));
    }
}
