using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// Lowers a [Differentiable] method's IOperation tree to the AD IR, and decides what can be
/// differentiated: every construct outside the supported subset is reported here, on its own span,
/// with a diagnostic that names it (<see cref="Unsupported"/>), and the method is skipped.
/// </summary>
/// <remarks>
/// The IR is in single-assignment form: a reassigned local becomes a new variable (<c>y</c>,
/// <c>y_1</c>…), and where branches assign a local differently a merge variable is declared before
/// the branch and assigned at the end of each. Code after an <c>if</c> that returns on some path is
/// moved into the branches that fall through, so every return ends its path.
/// </remarks>
internal sealed partial class Lowerer
{
    private const string NoDerivativeAttributeName = "Differentiable.NoDerivativeAttribute";
    private const string DifferentiableAttributeName = "Differentiable.DifferentiableAttribute";
    private const string GeneratedDerivativeAttributeName = "Differentiable.GeneratedDerivativeAttribute";

    /// <summary>
    /// The layout of generated members this generator writes and reads; it must equal the runtime's
    /// <c>GeneratedDerivativeAttribute.CurrentMetadataVersion</c> (a test checks it).
    /// </summary>
    internal const int GeneratedMetadataVersion = 1;

    /// <summary>
    /// Set only by tests: lowering throws for the methods it selects, to show that a failure stays on its
    /// method (DIFF0009). Null in every real build.
    /// </summary>
    internal static Func<IMethodSymbol, bool>? FaultInjection { get; set; }

    private readonly IMethodSymbol method;
    private readonly Compilation compilation;
    private readonly CancellationToken cancellationToken;
    private readonly NameScope names;
    private readonly Dictionary<ISymbol, int> versions = new(SymbolEqualityComparer.Default);

    /// <summary>The local or parameter each version stands for.</summary>
    private readonly Dictionary<Variable, ISymbol> owners = new();
    private readonly List<DiagnosticInfo> diagnostics = new();
    private readonly HashSet<string> contractNames;
    private readonly HashSet<string> localNames = new();

    /// <summary>The out and ref parameters: each return writes their current values back to them.</summary>
    private readonly List<(ISymbol Symbol, Variable Parameter)> resultParameters = new();
    private readonly INamedTypeSymbol containingType;
    private bool failed;

    /// <summary>The project's overflow context (<c>CheckForOverflowUnderflow</c>), which generated code compiles with too.</summary>
    private readonly bool checkedByDefault;

    private Lowerer(Compilation compilation, IMethodSymbol method, (NameScope Scope, HashSet<string> Contract) names, bool checkedByDefault, CancellationToken cancellationToken)
    {
        this.compilation = compilation;
        this.checkedByDefault = checkedByDefault;
        this.method = method;
        this.names = names.Scope;
        contractNames = names.Contract;
        this.cancellationToken = cancellationToken;
        containingType = method.ContainingType;
    }

    /// <summary>The ForAttributeWithMetadataName transform: symbol and syntax in, equatable model out.</summary>
    public static MethodModel Lower(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var location = SourceSpan.From(syntax.Identifier.GetLocation());
        string hintName = HintName(method);
        var (ns, types) = Containers(method);
        string modifiers = Modifiers(method);
        string signature = method.Name + "(" + string.Join(", ", method.Parameters.Select(p => p.Name)) + ")";

        var diagnostics = new List<DiagnosticInfo>();
        IrFunction? primal = null;
        try
        {
            primal = LowerMethod(context.SemanticModel, method, syntax, diagnostics, cancellationToken);
        }
        catch (System.OperationCanceledException)
        {
            throw;
        }
        catch (System.Exception exception)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, method.Name, exception.Message));
            primal = null;
        }

        return new MethodModel(hintName, ns, types, method.Name, KeyOf(method.OriginalDefinition), modifiers, signature, primal, location, diagnostics.ToEquatableArray(), OrderOf(method));
    }

    /// <summary>Lowers one method to IR, or returns null with the reasons in <paramref name="diagnostics"/>.</summary>
    internal static IrFunction? LowerMethod(
        SemanticModel model,
        IMethodSymbol method,
        MethodDeclarationSyntax syntax,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        if (FaultInjection?.Invoke(method) == true)
        {
            throw new InvalidOperationException("fault injected by a test"); // proves failures stay contained (DIFF0009)
        }

        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                    && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.TypeNotPartial, SourceSpan.From(declaration.Identifier.GetLocation()), type.Name, method.Name));
                    return null;
                }
            }
        }

        var location = SourceSpan.From(syntax.Identifier.GetLocation());
        if (method.IsGenericMethod)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethod, location, method.Name));
            return null;
        }

        if (method.IsAsync || method.IsExtern || method.IsAbstract)
        {
            string what = method.IsAsync ? "An async method" : method.IsExtern ? "An extern method" : "An abstract method";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, location, what, method.Name));
            return null;
        }

        var parameters = new List<Parameter>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            IrType? type = TypeOf(parameter.Type);
            var parameterSpan = SourceSpan.From(parameter.Locations.FirstOrDefault() ?? syntax.GetLocation());
            // out and ref parameters of scalar types: a result, or an input that is also a result.
            if (parameter.RefKind is RefKind.RefReadOnlyParameter
                || parameter.RefKind is RefKind.Ref or RefKind.Out && type is not { IsBuffer: false, Kind: not ValueKind.Tuple })
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, parameterSpan, $"A '{parameter.RefKind.ToString().ToLowerInvariant()}' parameter ('{parameter.Name}') of type '{parameter.Type.ToDisplayString()}'"));
                continue;
            }

            if (type is null || type.Kind == ValueKind.Tuple || parameter.IsParams)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, parameterSpan, $"Parameter '{parameter.Name}' of type '{parameter.Type.ToDisplayString()}'"));
                continue;
            }

            bool differentiable = (type.IsFloating || type.IsDifferentiableBuffer) && !HasAttribute(parameter, NoDerivativeAttributeName);
            parameters.Add(new Parameter(new Variable(parameter.Name, type), KindOf(parameter.RefKind), differentiable));
        }

        IrType? returnType = method.ReturnsVoid ? IrType.Void : TypeOf(method.ReturnType);
        if (returnType is { IsBuffer: true } && (returnType.Kind != ValueKind.Array || returnType.ElementType.IsBuffer)
            || returnType is { Kind: ValueKind.Other })
        {
            // A span result would be a view of an argument; a jagged result has no shadow convention yet; a string, char or
            // enum result has no derivative to take.
            returnType = null;
        }

        if (returnType is null || method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            var span = SourceSpan.From(syntax.ReturnType.GetLocation());
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, span, $"Return type '{method.ReturnType.ToDisplayString()}'"));
        }

        if (diagnostics.Count > 0 || returnType is null)
        {
            return null;
        }

        if (NameClash(method, parameters, returnType) is { } clash)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GeneratedNameClash, location, method.ContainingType.Name, clash, method.Name));
            return null;
        }

        if (model.GetOperation(syntax, cancellationToken) is not IMethodBodyOperation body
            || (body.BlockBody ?? body.ExpressionBody) is not { } block)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, location, "A method without a body", method.Name));
            return null;
        }

        var lowerer = new Lowerer(model.Compilation, method, ReservedNames(method, syntax, parameters), model.Compilation.Options.CheckOverflow, cancellationToken);
        var env = new Env();
        foreach (Parameter parameter in parameters.Where(p => p.Kind != ParameterKind.Out)) // an out parameter starts unassigned
        {
            IParameterSymbol symbol = method.Parameters.First(p => p.Name == parameter.Variable.Name);
            env[symbol] = new Ref(parameter.Variable);
        }

        var statements = new List<Stmt>();

        // A ref parameter the method writes starts from a copy of its value on entry: the parameter itself takes the value
        // on exit when the method returns, and a reverse sweep that runs after that still reads the value on entry.
        var assigned = lowerer.AssignedSymbols(block);
        foreach (Parameter parameter in parameters.Where(p => p.Kind == ParameterKind.Ref))
        {
            IParameterSymbol symbol = method.Parameters.First(p => p.Name == parameter.Variable.Name);
            if (assigned.Contains(symbol))
            {
                Variable initial = lowerer.NextVersion(symbol, parameter.Variable.Type);
                statements.Add(new Let(new VariableBinding(initial), new Ref(parameter.Variable), null));
                env[symbol] = new Ref(initial);
            }
        }

        lowerer.FindRefLocals(block);
        lowerer.resultParameters.AddRange(parameters.Where(p => p.Kind is ParameterKind.Out or ParameterKind.Ref)
            .Select(p => ((ISymbol)method.Parameters.First(s => s.Name == p.Variable.Name), p.Variable)));

        // Every path that falls off the end (a void method) writes its out and ref parameters back first.
        var end = new Continuation([], 0, null, method.ReturnsVoid ? lowerer.WriteBack : null);
        lowerer.LowerStatements(block.Operations, 0, end.Finish is null ? null : end, env, statements);
        diagnostics.AddRange(lowerer.diagnostics);
        if (lowerer.failed)
        {
            return null;
        }

        var lowered = new Block(statements.ToEquatableArray());
        var read = new HashSet<Variable>(IrWalk.Variables(lowered));
        foreach (IParameterSymbol parameter in method.Parameters.Where(p => HasAttribute(p, NoDerivativeAttributeName)))
        {
            if (parameters.FirstOrDefault(p => p.Variable.Name == parameter.Name) is { } unused && !read.Contains(unused.Variable))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnusedNoDerivativeParameter, SourceSpan.From(parameter.Locations[0]), parameter.Name, method.Name));
            }
        }

        return new IrFunction(method.Name, parameters.ToEquatableArray(), returnType, lowered) { CheckedByDefault = lowerer.checkedByDefault };
    }

    /// <summary>
    /// A member the user wrote with the name and parameter types of a member the generator will add
    /// (<c>{M}Jvp</c>, <c>{M}Vjp</c>, <c>{M}Gradient</c>, both <c>{M}Jacobian</c> overloads; with Order = 2 <c>{M}Hvp</c> and
    /// both <c>{M}Hessian</c> overloads), as it would be displayed; null when there is none.
    /// Members the generator wrote itself (marked GeneratedCode("Differentiable")) are not clashes.
    /// </summary>
    private static string? NameClash(IMethodSymbol method, List<Parameter> parameters, IrType returnType)
    {
        var primal = method.Parameters.Select(p => (p.Type, Out: false)).ToList();
        var differentiable = method.Parameters.Where(p => parameters.Any(q => q.Variable.Name == p.Name && q.IsDifferentiable)).Select(p => p.Type).ToList();
        var shapes = new List<(string Name, List<(ITypeSymbol Type, bool Out)> Parameters)>
        {
            (method.Name + "Jvp", [.. primal, .. differentiable.Select(t => (t, false))]),
        };
        var reverse = new List<(ITypeSymbol, bool)>(primal);
        if (!method.ReturnsVoid)
        {
            reverse.Add((method.ReturnType, false));
        }

        shapes.Add((method.Name + "Vjp", [.. reverse, .. differentiable.Select(t => (t, true))]));
        if (returnType.IsFloating)
        {
            shapes.Add((method.Name + "Gradient", [.. primal, .. differentiable.Select(t => (t, true))]));
        }

        if (returnType.IsFloating && OrderOf(method) == 2)
        {
            shapes.Add((method.Name + "Hvp", [.. primal, .. differentiable.Select(t => (t, false)), .. differentiable.Select(t => (t, true)), .. differentiable.Select(t => (t, true))]));
            shapes.Add((method.Name + "Hessian", primal));
        }

        // The matrix overloads: the primal's parameters alone, and with a Span<T> of the matrix's element type after them.
        var spanOverloads = new List<(string Name, ValueKind Element)>();
        if (Analysis.JacobianShape.OfSignature(parameters, returnType) is { } jacobian)
        {
            shapes.Add((method.Name + "Jacobian", primal));
            spanOverloads.Add((method.Name + "Jacobian", jacobian.Element.Kind));
        }

        if (returnType.IsFloating && OrderOf(method) == 2)
        {
            spanOverloads.Add((method.Name + "Hessian", returnType.Kind));
        }

        foreach (var (name, shape) in shapes)
        {
            foreach (IMethodSymbol existing in UserMembers(name))
            {
                if (existing.Parameters.Length == shape.Count
                    && existing.Parameters.Select((p, i) => SymbolEqualityComparer.Default.Equals(p.Type, shape[i].Type) && (p.RefKind == RefKind.Out) == shape[i].Out).All(x => x))
                {
                    return existing.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
                }
            }
        }

        foreach (var (name, element) in spanOverloads)
        {
            foreach (IMethodSymbol existing in UserMembers(name))
            {
                if (existing.Parameters.Length == primal.Count + 1
                    && existing.Parameters.Take(primal.Count).Select((p, i) => SymbolEqualityComparer.Default.Equals(p.Type, primal[i].Type) && p.RefKind == method.Parameters[i].RefKind).All(x => x)
                    && TypeOf(existing.Parameters[primal.Count].Type) is { Kind: ValueKind.Span } span && span.ElementType.Kind == element)
                {
                    return existing.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
                }
            }
        }

        return null;

        // Members the generator wrote itself (marked GeneratedCode("Differentiable")) are not clashes.
        IEnumerable<IMethodSymbol> UserMembers(string name) => method.ContainingType.GetMembers(name).OfType<IMethodSymbol>().Where(existing => !existing.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"
            && a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value as string == "Differentiable"));
    }

    /// <summary>
    /// Before a return (or the end of a void method): each out or ref parameter takes the value its local has there,
    /// <c>y = y_2;</c>. Until then the body's writes to it are versions like any local's.
    /// </summary>
    private void WriteBack(Env env, List<Stmt> output)
    {
        foreach ((ISymbol symbol, Variable parameter) in resultParameters)
        {
            if (env.TryGetValue(symbol, out Expr? value) && !value.Equals(new Ref(parameter)))
            {
                output.Add(new Assign(new VariableBinding(parameter), Build.ConvertTo(parameter.Type, value), null));
            }
        }
    }

    // ------------------------------------------------------------ names

    /// <summary>
    /// Every identifier in the method is taken, and so are the names the generated signatures use
    /// (<c>d</c> + parameter, <c>dResult</c>): a local keeps its source name unless it is one of those.
    /// </summary>
    private static (NameScope Scope, HashSet<string> Contract) ReservedNames(IMethodSymbol method, MethodDeclarationSyntax syntax, List<Parameter> parameters)
    {
        var signature = new NameScope(method.Parameters.Select(p => p.Name));
        var contract = new HashSet<string>();
        foreach (Parameter parameter in parameters.Where(p => p.IsDifferentiable))
        {
            contract.Add(signature.Fresh("d" + parameter.Variable.Name));
        }

        contract.Add(signature.Fresh("dResult"));
        var scope = new NameScope(syntax.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText));
        foreach (string name in contract)
        {
            scope.Reserve(name);
        }

        foreach (IParameterSymbol parameter in method.Parameters)
        {
            scope.Reserve(parameter.Name);
        }

        return (scope, contract);
    }

    /// <summary>How a parameter is passed, for a method's own parameters and a callee's alike.</summary>
    private static ParameterKind KindOf(RefKind refKind) => refKind switch
    {
        RefKind.In => ParameterKind.In,
        RefKind.Out => ParameterKind.Out,
        RefKind.Ref => ParameterKind.Ref,
        _ => ParameterKind.Value,
    };

    /// <summary>The IR name of the next definition of a local or parameter: <c>y</c>, then <c>y_1</c>, <c>y_2</c>…</summary>
    private Variable NextVersion(ISymbol symbol, IrType type)
    {
        Variable variable = NewVersion(symbol, type);
        owners[variable] = symbol;
        return variable;
    }

    private Variable NewVersion(ISymbol symbol, IrType type)
    {
        versions.TryGetValue(symbol, out int version);
        versions[symbol] = version + 1;
        if (symbol is IParameterSymbol)
        {
            return names.Fresh(symbol.Name + "_" + (version + 1), type);
        }

        if (version == 0 && !contractNames.Contains(symbol.Name) && localNames.Add(symbol.Name))
        {
            return new Variable(symbol.Name, type);
        }

        return names.Fresh(symbol.Name + "_" + Math.Max(version, 1), type);
    }

    // ------------------------------------------------------------ types and symbols

    internal static IrType? TypeOf(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Double:
                return IrType.Double;
            case SpecialType.System_Single:
                return IrType.Float;
            case SpecialType.System_Boolean:
                return IrType.Bool;
            case SpecialType.System_Int32:
                return IrType.Int;
            case SpecialType.System_Int64:
            case SpecialType.System_Int16:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_UInt16:
            case SpecialType.System_UInt32:
            case SpecialType.System_UInt64:
                return IrType.Scalar(ValueKind.Integer, type.ToDisplayString());
            case SpecialType.System_Char:
            case SpecialType.System_String:
                return IrType.Scalar(ValueKind.Other, type.ToDisplayString());
        }

        // Enums are passed through, compared and switched on; they carry no derivative.
        if (type.TypeKind == Microsoft.CodeAnalysis.TypeKind.Enum)
        {
            return IrType.Scalar(ValueKind.Other, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        }

        // Arrays and spans of double, float and integers; jagged arrays of those arrays.
        if (type is IArrayTypeSymbol { Rank: 1 } array && TypeOf(array.ElementType) is { } arrayElement
            && (arrayElement.Kind is ValueKind.Double or ValueKind.Float or ValueKind.Integer || arrayElement.Kind == ValueKind.Array))
        {
            return IrType.Array(arrayElement);
        }

        if (type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1 } span
            && span.ContainingNamespace?.ToDisplayString() == "System"
            && TypeOf(span.TypeArguments[0]) is { Kind: ValueKind.Double or ValueKind.Float or ValueKind.Integer } spanElement)
        {
            return span.Name == "Span" ? IrType.Span(spanElement) : IrType.ReadOnlySpan(spanElement);
        }

        if (type is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            var elements = new List<IrType>();
            foreach (IFieldSymbol element in tuple.TupleElements)
            {
                if (TypeOf(element.Type) is not { Kind: not ValueKind.Tuple } elementType)
                {
                    return null;
                }

                elements.Add(elementType);
            }

            return IrType.Tuple(
                elements.ToEquatableArray(),
                tuple.TupleElements.Select(e => e.IsExplicitlyNamedTupleElement ? e.Name : string.Empty).ToEquatableArray());
        }

        return null;
    }

    internal static bool HasAttribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

    /// <summary>The <c>Order</c> a method's <c>[Differentiable]</c> asks for: 1 unless it says otherwise.</summary>
    internal static int OrderOf(IMethodSymbol method) =>
        method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Differentiable.DifferentiableAttribute")?.NamedArguments
            .FirstOrDefault(n => n.Key == "Order").Value.Value is int order ? order : 1;

    /// <summary>The registry key of a method: its owner, name and parameter types.</summary>
    internal static string KeyOf(IMethodSymbol method) =>
        method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + method.Name + "("
        + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))) + ")";

    internal static string HintName(IMethodSymbol method)
    {
        string type = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
            .Replace("global::", string.Empty).Replace('<', '{').Replace('>', '}');
        var overloads = method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>()
            .Where(m => HasAttribute(m, DifferentiableAttributeName)).ToList();
        string suffix = overloads.Count > 1
            ? "_" + string.Join("_", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)))
                .Replace('<', '{').Replace('>', '}').Replace("(", string.Empty).Replace(")", string.Empty).Replace(", ", "_").Replace(' ', '_')
            : string.Empty;

        // Code with errors can declare the same signature twice (CS0111): each still needs a file name of its own.
        var twins = overloads.Where(m => KeyOf(m) == KeyOf(method)).ToList();
        if (twins.Count > 1)
        {
            suffix += "_" + twins.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, method)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return type + "." + method.Name + suffix + ".g.cs";
    }

    private static (string? Namespace, EquatableArray<TypeDeclaration> Types) Containers(IMethodSymbol method)
    {
        var types = new List<TypeDeclaration>();
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            string keyword = type switch
            {
                { IsRecord: true, TypeKind: Microsoft.CodeAnalysis.TypeKind.Struct } => "record struct",
                { IsRecord: true } => "record",
                { TypeKind: Microsoft.CodeAnalysis.TypeKind.Struct } => "struct",
                { TypeKind: Microsoft.CodeAnalysis.TypeKind.Interface } => "interface",
                _ => "class",
            };
            types.Insert(0, new TypeDeclaration(keyword, type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
        }

        INamespaceSymbol ns = method.ContainingType.ContainingNamespace;
        return (ns.IsGlobalNamespace ? null : ns.ToDisplayString(), types.ToEquatableArray());
    }

    private static string Modifiers(IMethodSymbol method)
    {
        string access = method.DeclaredAccessibility switch
        {
            Accessibility.Public => "public",
            Accessibility.Internal => "internal",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedOrInternal => "protected internal",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "private",
        };
        return method.IsStatic ? access + " static" : access;
    }

    // ------------------------------------------------------------ reporting

    /// <summary>Reports a construct the generator cannot differentiate and marks the method as skipped.</summary>
    private Expr Unsupported(IOperation operation, string what)
    {
        failed = true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, SourceSpan.From(operation.Syntax), what, method.Name));
        return Const.Zero(IrType.Double);
    }

    /// <summary>The source statement an operation belongs to, for the comments in generated code.</summary>
    private static Origin OriginOf(IOperation operation)
    {
        SyntaxNode syntax = operation.Syntax.AncestorsAndSelf()
            .FirstOrDefault(n => n is StatementSyntax or ArrowExpressionClauseSyntax) ?? operation.Syntax;
        if (syntax is ArrowExpressionClauseSyntax arrow)
        {
            syntax = arrow.Expression;
        }
        else if (syntax is IfStatementSyntax ifStatement && operation.Syntax != syntax)
        {
            syntax = ifStatement.Condition; // the condition of an if, not its whole body
        }

        string text = syntax is BlockSyntax ? "{" : syntax.ToString();
        int newline = text.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
        {
            text = text.Substring(0, newline).TrimEnd() + " …";
        }

        return new Origin(syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1, text);
    }

    /// <summary>The values of locals and parameters at a point of the method.</summary>
    private sealed class Env : Dictionary<ISymbol, Expr>
    {
        public Env()
            : base(SymbolEqualityComparer.Default)
        {
        }

        public Env Clone()
        {
            var copy = new Env();
            foreach (KeyValuePair<ISymbol, Expr> entry in this)
            {
                copy[entry.Key] = entry.Value;
            }

            return copy;
        }
    }

    /// <summary>The statements that follow a block, still to be lowered on the same path.</summary>
    /// <remarks>
    /// A continuation with <see cref="Finish"/> ends a loop iteration instead (the increment and the assignments
    /// of the loop's carried variables); it is lowered on every path that reaches it.
    /// </remarks>
    private sealed record Continuation(IReadOnlyList<IOperation> Operations, int Index, Continuation? Next, Action<Env, List<Stmt>>? Finish = null);
}
