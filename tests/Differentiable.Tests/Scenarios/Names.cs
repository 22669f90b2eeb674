using System;
using Differentiable;

namespace Differentiable.Tests.Scenarios;

/// <summary>Names the generator must not turn into keywords or clashes: 'd' + 'o' is 'do'.</summary>
public static partial class Names
{
    /// <summary>A parameter and a local whose derivative names would be keywords (do, double), and a verbatim local.</summary>
    [Differentiable]
    public static double KeywordDerivatives(double o, double ouble)
    {
        double efault = o * ouble;
        double @double = Math.Sin(efault) + o;
        double elegate = @double * @double;
        return elegate + ouble;
    }
}
