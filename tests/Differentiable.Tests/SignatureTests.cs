using System.Reflection;
using System.Runtime.CompilerServices;
using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>The generated members have exactly the signatures of the contract in shared/DESIGN.md.</summary>
public class SignatureTests
{
    [Fact]
    public void ScalarMethod_GetsJvpVjpAndGradient_WithContractSignatures()
    {
        // double IntegerParameters(double x, int n, bool square)
        AssertSignature(typeof(Arithmetic), "IntegerParametersJvp", typeof((double, double)), ["Value", "Tangent"],
            ("x", typeof(double)), ("n", typeof(int)), ("square", typeof(bool)), ("dx", typeof(double)));
        AssertSignature(typeof(Arithmetic), "IntegerParametersVjp", typeof(double), null,
            ("x", typeof(double)), ("n", typeof(int)), ("square", typeof(bool)), ("dResult", typeof(double)), ("dx", typeof(double).MakeByRefType()));
        AssertSignature(typeof(Arithmetic), "IntegerParametersGradient", typeof(double), null,
            ("x", typeof(double)), ("n", typeof(int)), ("square", typeof(bool)), ("dx", typeof(double).MakeByRefType()));
        Assert.True(typeof(Arithmetic).GetMethod("IntegerParametersVjp")!.GetParameters()[4].IsOut);
    }

    [Fact]
    public void TupleResult_GetsNamedValueAndTangent_AndNoGradient()
    {
        AssertSignature(typeof(Tuples), "SumAndProductJvp", typeof(((double, double), (double, double))), ["Value", "Tangent", "Sum", "Product", "Sum", "Product"],
            ("x", typeof(double)), ("y", typeof(double)), ("dx", typeof(double)), ("dy", typeof(double)));
        AssertSignature(typeof(Tuples), "SumAndProductVjp", typeof((double, double)), ["Sum", "Product"],
            ("x", typeof(double)), ("y", typeof(double)), ("dResult", typeof((double, double))), ("dx", typeof(double).MakeByRefType()), ("dy", typeof(double).MakeByRefType()));
        Assert.Null(typeof(Tuples).GetMethod("SumAndProductGradient"));

        // Widened: the same names, Vector256 derivatives (one lane per direction or cotangent).
        Type lanes = typeof(System.Runtime.Intrinsics.Vector256<double>);
        AssertSignature(typeof(Tuples), "SumAndProductJvp", ValueTupleOf(typeof((double, double)), typeof(ValueTuple<,>).MakeGenericType(lanes, lanes)), ["Value", "Tangent", "Sum", "Product", "Sum", "Product"],
            ("x", typeof(double)), ("y", typeof(double)), ("dx", lanes), ("dy", lanes));
        AssertSignature(typeof(Tuples), "SumAndProductVjp", typeof((double, double)), ["Sum", "Product"],
            ("x", typeof(double)), ("y", typeof(double)), ("dResult", typeof(ValueTuple<,>).MakeGenericType(lanes, lanes)), ("dx", lanes.MakeByRefType()), ("dy", lanes.MakeByRefType()));
    }

    private static Type ValueTupleOf(Type first, Type second) => typeof(ValueTuple<,>).MakeGenericType(first, second);

    [Fact]
    public void CollidingNames_NoDerivative_FloatAndInstanceMembers_FollowTheContract()
    {
        AssertSignature(typeof(Calls), "AlreadyNamedDxVjp", typeof(double), null,
            ("x", typeof(double)), ("dx", typeof(double)), ("dResult", typeof(double)), ("dx1", typeof(double).MakeByRefType()), ("ddx", typeof(double).MakeByRefType()));
        AssertSignature(typeof(Calls), "WithNoDerivativeJvp", typeof((double, double)), ["Value", "Tangent"],
            ("x", typeof(double)), ("weight", typeof(double)), ("dx", typeof(double)));
        AssertSignature(typeof(SinglePrecision), "WaveVjp", typeof(float), null,
            ("x", typeof(float)), ("y", typeof(float)), ("dResult", typeof(float)), ("dx", typeof(float).MakeByRefType()), ("dy", typeof(float).MakeByRefType()));

        MethodInfo instance = typeof(Spring).GetMethod("ScaledVjp")!;
        Assert.False(instance.IsStatic);
        Assert.True(typeof(Calls.Nested).GetMethod("CubeJvp", BindingFlags.NonPublic | BindingFlags.Static)!.IsAssembly);
    }

    private static void AssertSignature(Type type, string name, Type returnType, string[]? tupleNames, params (string Name, Type Type)[] parameters)
    {
        // By parameter types: the widened overloads share the name.
        MethodInfo method = type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance, parameters.Select(p => p.Type).ToArray())
            ?? throw new InvalidOperationException($"{type.Name}.{name} was not generated");
        Assert.Equal(returnType, method.ReturnType);
        Assert.Equal(parameters, method.GetParameters().Select(p => (p.Name!, p.ParameterType)).ToArray());
        Assert.Equal(tupleNames, method.ReturnParameter.GetCustomAttribute<TupleElementNamesAttribute>()?.TransformNames.ToArray());
        Assert.NotNull(method.GetCustomAttribute<System.CodeDom.Compiler.GeneratedCodeAttribute>());
    }
}
