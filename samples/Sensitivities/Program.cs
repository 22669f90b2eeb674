using System.Globalization;
using Differentiable;
using Sensitivities;

// A simulation's final state depends on its parameters through a thousand time steps. How much does it move when a
// parameter moves? Simulations.cs writes the simulation once, as a plain loop; the generator derives from it the
// sensitivities of the final state to every parameter in one reverse pass (FinalPositionGradient), and a directional
// derivative in one forward pass (FinalPositionJvp). Both are checked against central finite differences, which need
// two extra simulations per parameter and are only approximate.

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;  // numbers print the same on every machine

const int Steps = 1000;
const double Dt = 0.01;
double[] p = [4.0, 0.3, 1.0, 0.5];  // k, c, x0, v0
string[] names = ["k", "c", "x0", "v0"];
bool allAgree = true;

Console.WriteLine($"Damped oscillator x'' = -k x - c x', explicit Euler, {Steps} steps of dt = {Dt} (T = {Steps * Dt})");
Console.WriteLine($"  k = {p[0]}, c = {p[1]}, x0 = {p[2]}, v0 = {p[3]}: x(T) = {F6(Simulations.FinalPosition(p[0], p[1], p[2], p[3], Steps, Dt))}");

// Reverse mode: all four sensitivities of x(T) from one call.
Simulations.FinalPositionGradient(p[0], p[1], p[2], p[3], Steps, Dt, out double dk, out double dc, out double dx0, out double dv0);
double[] gradient = [dk, dc, dx0, dv0];
double[] finiteDifferences = FiniteDifferences.Gradient(q => Simulations.FinalPosition(q[0], q[1], q[2], q[3], Steps, Dt), p);
Console.WriteLine("  sensitivity    FinalPositionGradient   finite differences   relative difference");
for (int i = 0; i < p.Length; i++)
{
    Console.WriteLine($"  ∂x(T)/∂{names[i],-6} {F6(gradient[i]),22} {F6(finiteDifferences[i]),20} {E1(Check(gradient[i], finiteDifferences[i])),21}");
}

// Forward mode: the derivative along one direction of parameter space equals the gradient dotted with it.
double[] u = [1.0, -1.0, 0.5, 2.0];
var (_, along) = Simulations.FinalPositionJvp(p[0], p[1], p[2], p[3], Steps, Dt, u[0], u[1], u[2], u[3]);
double dot = gradient.Zip(u, (g, d) => g * d).Sum();
Console.WriteLine($"  FinalPositionJvp along (dk, dc, dx0, dv0) = ({string.Join(", ", u)}): {F6(along)}");
// The two modes round differently, so only whether they agree to rounding is printed, not their last digits.
bool modesAgree = RelativeDifference(along, dot) < 1e-12;
Console.WriteLine($"    gradient · direction: {F6(dot)}, the same within 1e-12 relative: {(modesAgree ? "yes" : "NO")}");

// A tuple result: FinalStateVjp takes the cotangent of (X, V); (0, 1) selects the sensitivities of the final velocity.
var (x, v) = Simulations.FinalStateVjp(p[0], p[1], p[2], p[3], Steps, Dt, (X: 0, V: 1), out dk, out dc, out dx0, out dv0);
double[] velocityFd = FiniteDifferences.Gradient(q => Simulations.FinalState(q[0], q[1], q[2], q[3], Steps, Dt).V, p);
double velocityDeviation = new[] { dk, dc, dx0, dv0 }.Zip(velocityFd, Check).Max();
Console.WriteLine($"  final state (x, v) = ({F6(x)}, {F6(v)})");
Console.WriteLine($"  FinalStateVjp with dResult = (0, 1): ∂v(T)/∂(k, c, x0, v0) = ({F6(dk)}, {F6(dc)}, {F6(dx0)}, {F6(dv0)})");
Console.WriteLine($"    largest relative difference to finite differences: {E1(velocityDeviation)}");
Console.WriteLine();

// Arrays: a chain of masses and springs. One reverse pass gives the sensitivity to every spring's stiffness.
double[] stiffness = [3.0, 2.5, 2.0, 1.5, 1.0, 0.5];
const double Damping = 0.1;
int n = stiffness.Length;
Console.WriteLine($"Chain of {n} masses and {n} springs (stiffness {string.Join(", ", stiffness)}, damping {Damping}), last mass pulled out by 1");
double end = Simulations.ChainEndPosition(stiffness, Damping, Steps, Dt);
var dStiffness = new double[n];  // the shadow: the gradient is added into it
Simulations.ChainEndPositionGradient(stiffness, Damping, Steps, Dt, dStiffness, out _);
double[] chainFd = FiniteDifferences.Gradient(s => Simulations.ChainEndPosition(s, Damping, Steps, Dt), stiffness);
Console.WriteLine($"  x{n}(T) = {F6(end)}");
Console.WriteLine($"  ChainEndPositionGradient: ∂x{n}(T)/∂stiffness = ({string.Join(", ", dStiffness.Select(F6))})");
Console.WriteLine($"    largest relative difference to finite differences: {E1(dStiffness.Zip(chainFd, Check).Max())}");
Console.WriteLine();

Console.WriteLine($"All sensitivities agree with finite differences within 1e-6 relative: {(allAgree ? "yes" : "NO")}");
if (!allAgree || !modesAgree)
{
    Environment.ExitCode = 1;
}

// The relative difference of a generated sensitivity and its finite-difference estimate, recorded in allAgree. The
// simulations use only +, - and *, which round the same way everywhere, so the printed differences are reproducible.
double Check(double generated, double estimate)
{
    double difference = RelativeDifference(generated, estimate);
    allAgree &= difference < 1e-6;
    return difference;
}

static double RelativeDifference(double a, double b) => a == b ? 0 : Math.Abs(a - b) / Math.Max(Math.Abs(a), Math.Abs(b));

static string F6(double value) => value.ToString("F6");

static string E1(double value) => value.ToString("0.0E+00");
