using Differentiable.Tests.Scenarios;

namespace Differentiable.Tests;

/// <summary>Generated names are never C# keywords: 'd' + 'o' is 'do', so the tangent of o is do1.</summary>
public class NameTests
{
    [Fact]
    public void KeywordDerivatives_GetSuffixedNames_AndMatchFiniteDifferences()
    {
        string[] names = typeof(Names).GetMethod(nameof(Names.KeywordDerivativesJvp))!.GetParameters().Select(p => p.Name!).ToArray();
        Assert.Equal(["o", "ouble", "do1", "double1"], names);
        DerivativeAssert.Scalar(
            x => Names.KeywordDerivatives(x[0], x[1]),
            (x, v) => Names.KeywordDerivativesJvp(x[0], x[1], v[0], v[1]),
            (x, u) => (Names.KeywordDerivativesVjp(x[0], x[1], u, out double do1, out double double1), [do1, double1]),
            [0.4, -1.2], [1.5, 0.3]);
    }
}
