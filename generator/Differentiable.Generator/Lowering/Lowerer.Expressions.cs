using System;
using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Diagnostics;
using Differentiable.Generator.Ir;
using Differentiable.Generator.Model;
using Differentiable.Generator.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// Expressions. A floating-point value is lowered to a root operation whose floating operands are
/// atoms, nested operations going into temporaries; a bool or integer value (a condition, an index)
/// stays a tree, since nothing is differentiated through it.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>Lowers a value to a root operation over atoms (or a tuple of atoms).</summary>
    private Expr LowerValue(IOperation operation, Env env, List<Stmt> output, Func<int, IrType, Variable>? elementTarget = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<Stmt>? saved = treeEffects;
        treeEffects = output; // writes inside the value's integer parts go just before it
        try
        {
            return LowerValueWithEffects(operation, env, output, elementTarget);
        }
        finally
        {
            treeEffects = saved;
        }
    }

    private Expr LowerValueWithEffects(IOperation operation, Env env, List<Stmt> output, Func<int, IrType, Variable>? elementTarget)
    {
        if (IsWrite(operation))
        {
            return LowerWriteAsValue(operation, env, output);
        }

        if (operation.ConstantValue is { HasValue: true } constant && operation.Type is { } constantType)
        {
            return LowerConstant(operation, constant.Value, constantType);
        }

        IrType? type = operation.Type is null ? null : TypeOf(operation.Type);
        if (type is not null && !type.HasFloating && operation is not IInvocationOperation { Type.IsTupleType: true })
        {
            return LowerTree(operation, env);
        }

        switch (operation)
        {
            case ILocalReferenceOperation or IParameterReferenceOperation:
                return Lookup(operation, env);
            case IArrayElementReferenceOperation or IPropertyReferenceOperation or IImplicitIndexerReferenceOperation when IsElementAccess(operation) && type is not null:
                return LowerElementAccess(operation, env) is var (buffer, index) ? new Load(buffer, index, type) : Const.Zero(type);
            case IConversionOperation conversion:
                return LowerConversion(conversion, env, output);
            case IUnaryOperation { OperatorMethod: null, OperatorKind: UnaryOperatorKind.Minus } minus:
            {
                Expr operand = LowerAtom(minus.Operand, env, output);
                return operand is Const c ? Build.Negate(c) : new Unary(UnaryOp.Negate, operand, type!);
            }

            case IUnaryOperation { OperatorMethod: null, OperatorKind: UnaryOperatorKind.Plus } plus:
                return LowerValue(plus.Operand, env, output);
            case IBinaryOperation { OperatorMethod: null } binary:
                return LowerBinary(binary, binary.OperatorKind, LowerAtom(binary.LeftOperand, env, output), binary.RightOperand, binary.Type!, env, output);
            case IInvocationOperation invocation:
                return LowerInvocation(invocation, env, output, elementTarget, asTree: false);
            case IConditionalOperation { Type: not null } conditional when type is not null:
            {
                Variable target = names.Fresh("t", type);
                output.Add(new Declare(target, OriginOf(conditional)));
                LowerConditionalInto(target, conditional, env, output);
                return new Ref(target);
            }

            case ISwitchExpressionOperation switchExpression when type is { IsFloating: true }:
            {
                Variable target = names.Fresh("t", type);
                output.Add(new Declare(target, OriginOf(switchExpression)));
                LowerSwitchExpressionInto(target, switchExpression, env, output);
                return new Ref(target);
            }

            case ITupleOperation tuple when type is not null && tuple.Elements.Length == type.Elements.Count:
            {
                var elements = tuple.Elements.Select((e, i) => Build.ConvertTo(type.Elements[i], LowerAtom(e, env, output)));
                return new TupleExpr(elements.ToEquatableArray(), type);
            }

            case IFieldReferenceOperation field:
                return LowerFieldReference(field, env, output);
            case IDefaultValueOperation when type is not null:
                return DefaultOf(type);
            default:
                return Unsupported(operation, Describe(operation));
        }
    }

    /// <summary>Lowers a value to an atom, moving an operation into a temporary <c>t</c>.</summary>
    private Expr LowerAtom(IOperation operation, Env env, List<Stmt> output)
    {
        Expr value = LowerValue(operation, env, output);
        if (value.IsAtom || value is TupleExpr || !value.Type.HasFloating)
        {
            return value;
        }

        Variable temporary = names.Fresh("t", value.Type);
        output.Add(new Let(new VariableBinding(temporary), value, OriginOf(operation)));
        return new Ref(temporary);
    }

    private Expr Lookup(IOperation reference, Env env)
    {
        if (IsElementAlias(reference) && LowerElementAccess(reference, env) is var (buffer, index) && reference.Type is { } type && TypeOf(type) is { } elementType)
        {
            return new Load(buffer, index, elementType);
        }

        ISymbol symbol = SymbolOf(reference);
        return env.TryGetValue(symbol, out Expr? value) ? value : Unsupported(reference, $"Reading '{symbol.Name}' before it is assigned");
    }

    private static Expr DefaultOf(IrType type) => type.Kind switch
    {
        ValueKind.Tuple => new TupleExpr(type.Elements.Select(DefaultOf).ToEquatableArray(), type),
        ValueKind.Other => new DefaultValue(type),
        _ => new Const(type, 0),
    };

    private Expr LowerConstant(IOperation operation, object? value, ITypeSymbol type)
    {
        IrType? irType = TypeOf(type);
        return (irType, value) switch
        {
            ({ Kind: ValueKind.Boolean }, bool b) => new Const(IrType.Bool, b ? 1 : 0),
            ({ Kind: ValueKind.Double or ValueKind.Float or ValueKind.Integer }, IConvertible number) =>
                new Const(irType, number.ToDouble(System.Globalization.CultureInfo.InvariantCulture)),
            ({ Kind: ValueKind.Other }, _) when type.TypeKind == Microsoft.CodeAnalysis.TypeKind.Enum && operation is IFieldReferenceOperation { Field: var member } =>
                new FieldRead(null, member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), member.Name, irType),
            ({ Kind: ValueKind.Other }, IConvertible number) when type.TypeKind == Microsoft.CodeAnalysis.TypeKind.Enum =>
                new Ir.Convert(irType, new Const(IrType.Int, number.ToDouble(System.Globalization.CultureInfo.InvariantCulture))),
            ({ Kind: ValueKind.Other }, string or char or null) =>
                new Literal(irType, Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatPrimitive(value!, quoteStrings: true, useHexadecimalNumbers: false) ?? "null"),
            _ => Unsupported(operation, $"A constant of type '{type.ToDisplayString()}'"),
        };
    }

    private Expr LowerConversion(IConversionOperation conversion, Env env, List<Stmt> output)
    {
        IrType? target = conversion.Type is null ? null : TypeOf(conversion.Type);
        if (!conversion.Conversion.Exists)
        {
            return Unsupported(conversion, "Code with errors");
        }

        if (conversion.OperatorMethod is not null || target is null)
        {
            return Unsupported(conversion, $"A conversion to '{conversion.Type?.ToDisplayString()}'");
        }

        if (conversion.Operand is ITupleOperation tuple && target.Kind == ValueKind.Tuple)
        {
            if (tuple.Elements.Length != target.Elements.Count)
            {
                return Unsupported(conversion, "Code with errors");
            }

            var elements = tuple.Elements.Select((e, i) => Build.ConvertTo(target.Elements[i], LowerAtom(e, env, output)));
            return new TupleExpr(elements.ToEquatableArray(), target);
        }

        if (conversion.Operand.Type is { } sourceType && SymbolEqualityComparer.Default.Equals(sourceType, conversion.Type))
        {
            return LowerValue(conversion.Operand, env, output);
        }

        IrType? source = conversion.Operand.Type is null ? null : TypeOf(conversion.Operand.Type);
        if (source is null || !conversion.Conversion.IsNumeric && !conversion.Conversion.IsIdentity)
        {
            return Unsupported(conversion, $"A conversion from '{conversion.Operand.Type?.ToDisplayString()}' to '{conversion.Type?.ToDisplayString()}'");
        }

        if (source.Kind == ValueKind.Tuple)
        {
            Expr value = LowerValue(conversion.Operand, env, output);
            if (value is TupleExpr elements)
            {
                return new TupleExpr(elements.Elements.Select((e, i) => Build.ConvertTo(target.Elements[i], e)).ToEquatableArray(), target);
            }
        }

        return InContext(conversion, source.IsFloating && !target.IsFloating
            ? new Ir.Convert(target, LowerTree(conversion.Operand, env), SourceSpan.From(conversion.Syntax))
            : Build.ConvertTo(target, source.IsFloating ? LowerAtom(conversion.Operand, env, output) : LowerTree(conversion.Operand, env)));
    }

    private Expr LowerBinary(IOperation operation, BinaryOperatorKind kind, Expr left, IOperation rightOperation, ITypeSymbol resultType, Env env, List<Stmt> output)
    {
        IrType? type = TypeOf(resultType);
        BinaryOp? op = kind switch
        {
            BinaryOperatorKind.Add => BinaryOp.Add,
            BinaryOperatorKind.Subtract => BinaryOp.Subtract,
            BinaryOperatorKind.Multiply => BinaryOp.Multiply,
            BinaryOperatorKind.Divide => BinaryOp.Divide,
            BinaryOperatorKind.Remainder => BinaryOp.Remainder,
            _ => null,
        };
        if (op is null || type is null)
        {
            return Unsupported(operation, $"The operator '{kind}' on floating-point values");
        }

        return InContext(operation, new Binary(op.Value, left, LowerAtom(rightOperation, env, output), type));
    }

    /// <summary>
    /// Integer arithmetic (or a conversion to an integer) in the overflow context the source gave it: wrapped in
    /// <see cref="Overflow"/> when that differs from the project's default. Floating-point operations have no context.
    /// </summary>
    private Expr InContext(IOperation operation, Expr lowered)
    {
        bool isChecked = operation switch
        {
            IBinaryOperation binary => binary.IsChecked,
            IUnaryOperation unary => unary.IsChecked,
            IConversionOperation conversion => conversion.IsChecked,
            IIncrementOrDecrementOperation step => step.IsChecked,
            ICompoundAssignmentOperation compound => compound.IsChecked,
            _ => checkedByDefault,
        };
        return isChecked == checkedByDefault || lowered.Type.IsFloating || lowered.Type.Kind != ValueKind.Integer || lowered is Const
            ? lowered
            : new Overflow(lowered, isChecked);
    }

    // ------------------------------------------------------------ calls

    /// <summary>
    /// Lowers a call; <c>asTree</c> lowers its arguments as trees, where no derivative flows; <c>arrayResult</c> allows a
    /// [Differentiable] callee's array result (a new array: the definition of a local buffer).
    /// </summary>
    private Expr LowerInvocation(IInvocationOperation invocation, Env env, List<Stmt> output, Func<int, IrType, Variable>? elementTarget, bool asTree, bool arrayResult = false)
    {
        IMethodSymbol target = invocation.TargetMethod;
        IrType? resultType = target.ReturnsVoid ? IrType.Void : TypeOf(target.ReturnType);
        var parameterTypes = target.Parameters.Select(p => TypeOf(p.Type)).ToList();
        // out and ref parameters of scalar types are outputs of the call (ref ones inputs too); arrays by ref are not supported.
        if (resultType is null || parameterTypes.Any(t => t is null)
            || target.Parameters.Any(p => p.RefKind is RefKind.Out or RefKind.Ref
                ? parameterTypes[p.Ordinal] is { IsBuffer: true } or { Kind: ValueKind.Tuple }
                : p.RefKind != RefKind.None && p.RefKind != RefKind.In)
            || target.Parameters.Any(p => p.IsParams))
        {
            return Unsupported(invocation, target.ContainingType?.ToDisplayString() == "System.Linq.Enumerable"
                ? $"LINQ's '{target.Name}' (LINQ and its lambdas are not differentiated; write it as a loop: foreach (double v in a) {{ … }})"
                : $"A call to '{target.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' (its signature has types the generator does not differentiate)");
        }

        if (resultType.IsBuffer && !(arrayResult && resultType is { Kind: ValueKind.Array, ElementType.IsBuffer: false } && HasAttribute(target, DifferentiableAttributeName)))
        {
            // A view of another buffer (Slice, AsSpan), or an array that may be shared with something else: its elements'
            // derivatives would be lost. A [Differentiable] method's array result is always new.
            return Unsupported(invocation, arrayResult || !resultType.IsBuffer
                ? $"A call that returns an array or span ('{target.Name}'), unless it is a [Differentiable] method returning an array"
                : $"A call that returns an array ('{target.Name}') used other than to define a local (double[] y = {target.Name}(…);)");
        }

        var arguments = invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value).ToList();
        bool atomize = (resultType.HasFloating || resultType.Kind == ValueKind.Void) && !asTree;
        Expr Argument(IOperation argument) => atomize ? LowerAtom(argument, env, output) : LowerTree(argument, env);

        string owner = target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (ScalarRules.TryGetPrimitive(owner, target.Name, parameterTypes!, out MathFunction function))
        {
            var primitiveArguments = arguments.Select(Argument).ToEquatableArray();
            return new Call(new Primitive(function, parameterTypes[0]!), primitiveArguments, ScalarRules.ResultType(function, parameterTypes[0]!), SourceSpan.From(invocation.Syntax));
        }

        bool sameType = SymbolEqualityComparer.Default.Equals(target.ContainingType, containingType);
        Expr? receiver = null;
        if (!target.IsStatic && invocation.Instance is { } instance && !(instance is IInstanceReferenceOperation && instance.IsImplicit))
        {
            receiver = LowerTree(instance, env);
        }

        bool[] mayWrite = WrittenParameters(target);
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter is { } parameter && mayWrite[parameter.Ordinal] && WithoutConversion(argument.Value) is IFieldReferenceOperation { Type: { } fieldType } && TypeOf(fieldType) is { IsBuffer: true })
            {
                return Unsupported(argument, $"Passing an array field to '{target.Name}', which may write it (a field is a constant here: pass a local copy)");
            }
        }

        var parameters = target.Parameters.Select((p, i) => new ParameterInfo(
            p.Name,
            parameterTypes[i]!,
            (parameterTypes[i]!.IsFloating || parameterTypes[i]!.IsDifferentiableBuffer) && !HasAttribute(p, NoDerivativeAttributeName),
            mayWrite[i],
            KindOf(p.RefKind))).ToEquatableArray();
        DerivativeMethods? derivatives = DerivativesOf(target, invocation, sameType ? null : owner);
        // A generic method is called with its type arguments spelled out (throw helpers such as ThrowIfNegative<T>).
        string name = target.IsGenericMethod
            ? target.Name + "<" + string.Join(", ", target.TypeArguments.Select(t => t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))) + ">"
            : target.Name;
        var callee = new MethodCallee(
            KeyOf(target.OriginalDefinition),
            sameType || !target.IsStatic ? null : owner,
            name,
            receiver,
            parameters,
            derivatives,
            SourceSpan.From(invocation.Syntax),
            SymbolEqualityComparer.Default.Equals(target.ContainingAssembly, method.ContainingAssembly));
        if (target.Parameters.Any(p => p.RefKind is RefKind.Out or RefKind.Ref))
        {
            return LowerCallWithOutputs(invocation, callee, arguments, Argument, resultType, asTree, env, output);
        }

        var call = new Call(callee, arguments.Select(Argument).ToEquatableArray(), resultType);
        if (resultType.Kind != ValueKind.Tuple)
        {
            return call;
        }

        if (asTree)
        {
            return Unsupported(invocation, "A tuple-valued call inside a condition");
        }

        // A tuple result is deconstructed at once into one variable per element.
        var elements = resultType.Elements.Select((t, i) => elementTarget?.Invoke(i, t) ?? names.Fresh("t", t)).ToList();
        var binding = new TupleBinding(elements.Select(e => (Binding)new VariableBinding(e)).ToEquatableArray());
        output.Add(new Let(binding, call, OriginOf(invocation)));
        return new TupleExpr(elements.Select(e => (Expr)new Ref(e)).ToEquatableArray(), resultType);
    }

    /// <summary>
    /// A call with <c>out</c> or <c>ref</c> arguments (see <see cref="ParameterInfo"/>): one definition binding the result and
    /// each out or ref argument's new value, <c>(t, y_1, z_1) = F(x, placeholder, z)</c>, printed back as
    /// <c>F(x, out y_1, ref z_1)</c>. Returns the result (a void marker for a void callee).
    /// </summary>
    private Expr LowerCallWithOutputs(
        IInvocationOperation invocation, MethodCallee callee, List<IOperation> arguments, Func<IOperation, Expr> argument, IrType resultType, bool asTree, Env env, List<Stmt> output)
    {
        // Reported once: the locals the call would define get a value, so that their later reads are not reported again.
        Expr Fail(IOperation at, string what)
        {
            foreach (ILocalReferenceOperation place in arguments.Select(a => a is IDeclarationExpressionOperation d ? d.Expression : a).OfType<ILocalReferenceOperation>())
            {
                env[place.Local] = Const.Zero(TypeOf(place.Local.Type) ?? IrType.Double);
            }

            return Unsupported(at, what);
        }

        if (asTree || resultType.Kind == ValueKind.Tuple)
        {
            return Fail(invocation, asTree
                ? $"A call with out or ref arguments ('{callee.Name}') inside a condition, an index or an integer expression (call it into a local first)"
                : $"A call with out or ref arguments ('{callee.Name}') that returns a tuple");
        }

        var lowered = new List<Expr>();
        var outputs = new List<(ISymbol? Symbol, IrType Type)>();
        for (int i = 0; i < arguments.Count; i++)
        {
            ParameterInfo parameter = callee.Parameters[i];
            if (parameter.Kind is not (ParameterKind.Out or ParameterKind.Ref))
            {
                lowered.Add(argument(arguments[i]));
                continue;
            }

            IOperation place = arguments[i] is IDeclarationExpressionOperation declaration ? declaration.Expression : arguments[i];
            if (place is not (IDiscardOperation or ILocalReferenceOperation or IParameterReferenceOperation) || IsElementAlias(place))
            {
                return Fail(arguments[i], $"An {(parameter.Kind == ParameterKind.Out ? "out" : "ref")} argument that is not a local or a parameter ('{arguments[i].Syntax}'): pass a local, then assign it");
            }

            ISymbol? symbol = place is IDiscardOperation ? null : SymbolOf(place);

            if (symbol is not null && outputs.Any(o => SymbolEqualityComparer.Default.Equals(o.Symbol, symbol)))
            {
                // Which write lands last is up to the callee.
                return Fail(arguments[i], $"The same variable ('{symbol.Name}') passed to two out or ref parameters: pass two locals");
            }

            // An out argument's slot holds a placeholder; a ref argument's, the value on entry.
            lowered.Add(parameter.Kind == ParameterKind.Out ? new DefaultValue(parameter.Type) : LowerAtom(place, env, output));
            outputs.Add((symbol, parameter.Type));
        }

        Variable? result = resultType.Kind == ValueKind.Void ? null : names.Fresh("t", resultType);
        var versions = outputs.Select(o => o.Symbol is null ? names.Fresh("discarded", o.Type) : NextVersion(o.Symbol, o.Type)).ToList();
        var elements = (result is null ? versions : [result, .. versions]).Select(v => (Binding)new VariableBinding(v)).ToList();
        Binding binding = elements.Count == 1 ? elements[0] : new TupleBinding(elements.ToEquatableArray());
        output.Add(new Let(binding, new Call(callee, lowered.ToEquatableArray(), resultType, SourceSpan.From(invocation.Syntax)), OriginOf(invocation)));
        for (int i = 0; i < outputs.Count; i++)
        {
            if (outputs[i].Symbol is { } symbol)
            {
                env[symbol] = new Ref(versions[i]);
            }
        }

        return result is null ? new DefaultValue(IrType.Void) : new Ref(result);
    }

    /// <summary>
    /// The generated derivatives of a callee: by name for a [Differentiable] method of this compilation
    /// (they are being generated alongside), from their [GeneratedDerivative] attributes for a method of
    /// a referenced assembly. Null when there are none; registrations are looked up later.
    /// </summary>
    private DerivativeMethods? DerivativesOf(IMethodSymbol target, IInvocationOperation invocation, string? owner)
    {
        if (SymbolEqualityComparer.Default.Equals(target.ContainingAssembly, method.ContainingAssembly))
        {
            return HasAttribute(target, DifferentiableAttributeName)
                ? new DerivativeMethods(new MethodName(owner, target.Name + "Jvp"), new MethodName(owner, target.Name + "Vjp"), DerivativeMethods.ThisCompilation)
                : null;
        }

        MethodName? jvp = null, vjp = null, hvp = null;
        foreach (IMethodSymbol candidate in target.ContainingType.GetMembers().OfType<IMethodSymbol>())
        {
            AttributeData? generated = candidate.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == GeneratedDerivativeAttributeName);
            if (generated is null
                || generated.ConstructorArguments.Length != 3
                || generated.ConstructorArguments[0].Value is not string primal
                || generated.ConstructorArguments[1].Value is not int mode
                || generated.ConstructorArguments[2].Value is not int version
                || primal != target.Name
                || candidate.Parameters.Length < target.Parameters.Length
                || target.Parameters.Where((p, i) => !SymbolEqualityComparer.Default.Equals(p.Type, candidate.Parameters[i].Type)).Any())
            {
                continue;
            }

            if (version != GeneratedMetadataVersion)
            {
                failed = true;
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.IncompatibleMetadata,
                    SourceSpan.From(invocation.Syntax),
                    target.ContainingType.Name + "." + target.Name,
                    target.ContainingAssembly.Name,
                    version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    GeneratedMetadataVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return null;
            }

            var name = new MethodName(target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), candidate.Name);
            if (mode == 1)
            {
                jvp = name;
            }
            else if (mode == 2)
            {
                vjp = name;
            }
            else if (mode == 3)
            {
                hvp = name;
            }
        }

        return jvp is null && vjp is null ? null : new DerivativeMethods(jvp, vjp, "[Differentiable] in " + target.ContainingAssembly.Name, hvp);
    }

    // ------------------------------------------------------------ fields

    private Expr LowerFieldReference(IFieldReferenceOperation reference, Env env, List<Stmt> output)
    {
        IFieldSymbol field = reference.Field;
        IrType? type = TypeOf(field.Type);
        if (type is null)
        {
            return Unsupported(reference, $"Reading field '{field.Name}' of type '{field.Type.ToDisplayString()}'");
        }

        if (field.ContainingType.IsTupleType && reference.Instance is { } tupleInstance)
        {
            var tupleType = (INamedTypeSymbol)field.ContainingType;
            IFieldSymbol underlying = field.CorrespondingTupleField ?? field;
            int index = tupleType.TupleElements.ToList().FindIndex(e =>
                SymbolEqualityComparer.Default.Equals(e.CorrespondingTupleField ?? e, underlying));

            if (index >= 0 && LowerValue(tupleInstance, env, output) is TupleExpr tuple)
            {
                return tuple.Elements[index];
            }

            return Unsupported(reference, "This tuple element access");
        }

        // A field of an object created here (new Vector2(…).X) is not a field the method reads: the creation is reported.
        if (type.IsFloating && !field.IsReadOnly && !field.IsConst && reference.Instance is not IObjectCreationOperation)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MutableFieldRead, SourceSpan.From(reference.Syntax), field.Name));
        }

        return LowerFieldTree(reference, env);
    }

    private Expr LowerFieldTree(IFieldReferenceOperation reference, Env env)
    {
        IFieldSymbol field = reference.Field;
        IrType type = TypeOf(field.Type)!;
        if (field.IsStatic)
        {
            return new FieldRead(null, field.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), field.Name, type);
        }

        Expr receiver = reference.Instance is null or IInstanceReferenceOperation
            ? new This(IrType.Scalar(ValueKind.Other, "this"))
            : LowerTree(reference.Instance, env);
        return new FieldRead(receiver, null, field.Name, type);
    }

    // ------------------------------------------------------------ trees (no derivative flows)

    /// <summary>
    /// Lowers a bool or integer expression, or a value used only by one (a condition's operands), to a
    /// tree. Locals in it are read through the environment, so they name the current versions.
    /// </summary>
    private Expr LowerTree(IOperation operation, Env env)
    {
        if (operation.ConstantValue is { HasValue: true } constant && operation.Type is { } constantType)
        {
            return LowerConstant(operation, constant.Value, constantType);
        }

        IrType? type = operation.Type is null ? null : TypeOf(operation.Type);
        if (IsWrite(operation))
        {
            return LowerWriteInTree(operation, env);
        }

        switch (operation)
        {
            case ILocalReferenceOperation or IParameterReferenceOperation:
                return Lookup(operation, env);
            case IArrayElementReferenceOperation or IPropertyReferenceOperation or IImplicitIndexerReferenceOperation when IsElementAccess(operation) && type is not null:
                return LowerElementAccess(operation, env) is var (buffer, index) ? new Load(buffer, index, type) : Const.Zero(type);
            case IPropertyReferenceOperation { Instance: { } instance } when IsLength(operation):
                return new Length(LowerBuffer(instance, env));
            case IPropertyReferenceOperation { Property: { IsIndexer: false } property } reference
                when type is { IsFloating: false, IsBuffer: false, Kind: not ValueKind.Tuple } && (reference.Instance is null || reference.Instance.Type is { } receiverType && TypeOf(receiverType) is not { HasFloating: true }):
                // A property of a value that carries no derivative (text.Length, a count): read as it is.
                return property.IsStatic
                    ? new FieldRead(null, property.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), property.Name, type)
                    : new FieldRead(reference.Instance is null or IInstanceReferenceOperation ? new This(IrType.Scalar(ValueKind.Other, "this")) : LowerTree(reference.Instance, env), null, property.Name, type);
            case IConversionOperation when type is { IsBuffer: true }:
                return LowerBuffer(operation, env);
            case IConversionOperation { Type.SpecialType: SpecialType.System_Object, Operand.Type.IsValueType: true } boxing:
                return LowerTree(boxing.Operand, env); // to an object parameter (an exception's value): C# boxes it again
            case IConversionOperation { OperatorMethod: null } conversion when type is not null && conversion.Operand.Type is not null && TypeOf(conversion.Operand.Type) is { } source:
                return InContext(conversion, source.IsFloating && !type.IsFloating
                    ? new Ir.Convert(type, LowerTree(conversion.Operand, env), SourceSpan.From(conversion.Syntax))
                    : Build.ConvertTo(type, LowerTree(conversion.Operand, env)));
            case IUnaryOperation { OperatorMethod: null } unary when type is not null:
                return unary.OperatorKind switch
                {
                    UnaryOperatorKind.Minus => InContext(unary, new Unary(UnaryOp.Negate, LowerTree(unary.Operand, env), type)),
                    UnaryOperatorKind.Plus => LowerTree(unary.Operand, env),
                    UnaryOperatorKind.Not => new Unary(UnaryOp.Not, LowerTree(unary.Operand, env), type),
                    UnaryOperatorKind.BitwiseNegation when !type.IsFloating => new Unary(UnaryOp.Complement, LowerTree(unary.Operand, env), type),
                    _ => Unsupported(unary, $"The operator '{unary.OperatorKind}'"),
                };
            case IBinaryOperation { OperatorMethod: null } binary when type is not null:
            {
                BinaryOp? op = binary.OperatorKind switch
                {
                    BinaryOperatorKind.Add => BinaryOp.Add,
                    BinaryOperatorKind.Subtract => BinaryOp.Subtract,
                    BinaryOperatorKind.Multiply => BinaryOp.Multiply,
                    BinaryOperatorKind.Divide => BinaryOp.Divide,
                    BinaryOperatorKind.Remainder => BinaryOp.Remainder,
                    BinaryOperatorKind.LessThan => BinaryOp.Less,
                    BinaryOperatorKind.LessThanOrEqual => BinaryOp.LessOrEqual,
                    BinaryOperatorKind.GreaterThan => BinaryOp.Greater,
                    BinaryOperatorKind.GreaterThanOrEqual => BinaryOp.GreaterOrEqual,
                    BinaryOperatorKind.Equals => BinaryOp.Equal,
                    BinaryOperatorKind.NotEquals => BinaryOp.NotEqual,
                    BinaryOperatorKind.ConditionalAnd => BinaryOp.And,
                    BinaryOperatorKind.ConditionalOr => BinaryOp.Or,
                    BinaryOperatorKind.And when !type.IsFloating => BinaryOp.BitwiseAnd,
                    BinaryOperatorKind.Or when !type.IsFloating => BinaryOp.BitwiseOr,
                    BinaryOperatorKind.ExclusiveOr when !type.IsFloating => BinaryOp.ExclusiveOr,
                    BinaryOperatorKind.LeftShift => BinaryOp.LeftShift,
                    BinaryOperatorKind.RightShift => BinaryOp.RightShift,
                    _ => null,
                };
                if (op is null)
                {
                    return Unsupported(binary, $"The operator '{binary.OperatorKind}'");
                }

                Expr left = LowerTree(binary.LeftOperand, env);
                Expr right = op is BinaryOp.And or BinaryOp.Or ? WithoutEffects(binary.RightOperand, env) : LowerTree(binary.RightOperand, env);
                return InContext(binary, new Binary(op.Value, left, right, type));
            }

            case IConditionalOperation { Type: not null } conditional when type is not null:
                return new Conditional(LowerTree(conditional.Condition, env), WithoutEffects(conditional.WhenTrue, env), WithoutEffects(conditional.WhenFalse!, env), type);
            case ISwitchExpressionOperation switchExpression when type is not null:
                return LowerSwitchExpressionTree(switchExpression, type, env);
            case IInvocationOperation invocation when type is not null:
                // A value only a condition or an integer reads: no derivative flows through it.
                return LowerInvocation(invocation, env, [], null, asTree: true);
            case IFieldReferenceOperation field when type is not null && !field.Field.ContainingType.IsTupleType:
                return LowerFieldTree(field, env);
            case IInstanceReferenceOperation:
                return new This(IrType.Scalar(ValueKind.Other, "this"));
            case IDefaultValueOperation when type is not null:
                return DefaultOf(type);
            case IInterpolatedStringOperation text:
                return new Interpolated(text.Parts.Select(part => part switch
                {
                    IInterpolatedStringTextOperation { Text.ConstantValue.Value: string literal } => new Literal(IrType.Scalar(ValueKind.Other, "string"), EscapeInterpolated(literal)),
                    IInterpolationOperation hole => new Hole(
                        LowerTree(hole.Expression, env),
                        (hole.Alignment is { ConstantValue.Value: { } alignment } ? "," + System.Convert.ToString(alignment, System.Globalization.CultureInfo.InvariantCulture) : string.Empty)
                        + (hole.FormatString is { ConstantValue.Value: string format } ? ":" + format : string.Empty)),
                    _ => Unsupported(part, "This part of an interpolated string"),
                }).ToEquatableArray());
            default:
                return Unsupported(operation, Describe(operation));
        }
    }

    /// <summary>Text between the holes of an interpolated string, as written inside <c>$"…"</c>.</summary>
    private static string EscapeInterpolated(string text)
    {
        string quoted = Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);
        return quoted.Substring(1, quoted.Length - 2).Replace("{", "{{").Replace("}", "}}");
    }

    /// <summary>A tree that runs on some paths only (the right of &amp;&amp;, a branch of ?:): a write there is reported.</summary>
    private Expr WithoutEffects(IOperation operation, Env env)
    {
        List<Stmt>? saved = treeEffects;
        treeEffects = null;
        Expr tree = LowerTree(operation, env);
        treeEffects = saved;
        return tree;
    }

    /// <summary>A readable name for an operation the generator does not support, for DIFF0002.</summary>
    private static string Describe(IOperation operation) => operation.Kind switch
    {
        OperationKind.Loop => "This loop",
        OperationKind.Try => "A try statement",
        OperationKind.Lock => "A lock statement",
        OperationKind.Using or OperationKind.UsingDeclaration => "A using statement",
        OperationKind.Throw => "A throw",
        OperationKind.Branch => "A goto",
        OperationKind.Labeled => "A labeled statement",
        OperationKind.Switch or OperationKind.SwitchExpression => "A switch",
        OperationKind.AnonymousFunction or OperationKind.DelegateCreation => "A lambda or delegate",
        OperationKind.LocalFunction => "A local function",
        OperationKind.Await => "await",
        OperationKind.YieldReturn or OperationKind.YieldBreak => "yield",
        OperationKind.DynamicInvocation or OperationKind.DynamicMemberReference or OperationKind.DynamicIndexerAccess
            or OperationKind.DynamicObjectCreation => "dynamic",
        OperationKind.ArrayCreation or OperationKind.ArrayElementReference => "This array expression",
        OperationKind.ObjectCreation => operation.Type is { } created && created.ContainingNamespace?.ToDisplayString() == "System.Numerics"
            ? $"Creating a '{created.Name}' (System.Numerics vectors and structs are not differentiated yet: use double or float values, or arrays)"
            : "Creating an object",
        OperationKind.PropertyReference => $"Reading property '{((IPropertyReferenceOperation)operation).Property.Name}'",
        OperationKind.AddressOf => "Unsafe code",
        OperationKind.Invalid => "Code with errors",
        _ => $"'{operation.Syntax}' ({operation.Kind})",
    };
}
