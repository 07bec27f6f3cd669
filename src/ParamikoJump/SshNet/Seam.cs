using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;
using Renci.SshNet;

namespace ParamikoJump.SshNet;

/// <summary>
/// One place where ParamikoJump reaches past SSH.NET's public API (a row of <see cref="SshNetSeams"/>): the members it
/// resolves, checked for their shape, and what ParamikoJump does instead when they are missing.
/// </summary>
internal abstract class Seam
{
    private int _warned;

    protected Seam(string name, string fallback, string pinnedTo)
    {
        Name = name;
        Fallback = fallback;
        PinnedTo = pinnedTo;
    }

    /// <summary>What the seam is for, as the warning and README name it.</summary>
    public string Name { get; }

    /// <summary>What ParamikoJump does without it: the consequence a user would notice.</summary>
    public string Fallback { get; }

    /// <summary>The version the members were read from.</summary>
    public string PinnedTo { get; }

    /// <summary>Every member looked up, as "Type.Member" (the README's column).</summary>
    public abstract IReadOnlyList<string> Reaches { get; }

    /// <summary>What did not resolve or had the wrong shape; empty when the seam holds.</summary>
    public abstract IReadOnlyList<string> Missing { get; }

    /// <summary>How many lookups the seam makes (each one can be sabotaged, see <see cref="Sabotaged"/>).</summary>
    public abstract int Lookups { get; }

    public bool IsAvailable => Missing.Count == 0;

    /// <summary>
    /// Whether the seam holds; when it does not, logs once per process (per row) that the fallback is taken, with the
    /// SSH.NET version found.
    /// </summary>
    public bool IsAvailableOrWarn(ILogger logger)
    {
        if (IsAvailable)
        {
            return true;
        }

        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            Log.SeamFallback(logger, Name, Fallback, SshNetSeams.VersionFound, string.Join(", ", Missing), PinnedTo);
        }

        return false;
    }

    /// <summary>The same row resolved with lookup number <paramref name="lookup"/> given a wrong name: proof that each pin can fail.</summary>
    public abstract Seam Sabotaged(int lookup);
}

/// <summary>A seam whose resolved members are handed to its one consumer as <typeparamref name="TMembers"/>.</summary>
internal sealed class Seam<TMembers> : Seam
{
    private readonly Func<SeamLookup, TMembers> _resolve;
    private readonly SeamLookup _lookup;

    public Seam(string name, string fallback, Func<SeamLookup, TMembers> resolve, string pinnedTo = SshNetSeams.PinnedVersion)
        : this(name, fallback, resolve, pinnedTo, new SeamLookup(sabotage: -1))
    {
    }

    private Seam(string name, string fallback, Func<SeamLookup, TMembers> resolve, string pinnedTo, SeamLookup lookup)
        : base(name, fallback, pinnedTo)
    {
        _resolve = resolve;
        _lookup = lookup;
        Members = resolve(lookup);
    }

    /// <summary>The members; any of them may be null unless <see cref="Seam.IsAvailable"/>.</summary>
    public TMembers Members { get; }

    public override IReadOnlyList<string> Reaches => _lookup.Reached;

    public override IReadOnlyList<string> Missing => _lookup.Missing;

    public override int Lookups => _lookup.Count;

    public override Seam Sabotaged(int lookup) => new Seam<TMembers>(Name, Fallback, _resolve, PinnedTo, new SeamLookup(lookup));
}

/// <summary>
/// The one resolver every seam's members go through: finds each by name in SSH.NET's assembly, checks its shape, and
/// records what is missing instead of throwing. Lookups are counted so a test can misname any one of them.
/// </summary>
internal sealed class SeamLookup
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
    private const BindingFlags Static = BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public;
    private static readonly Assembly SshNet = typeof(Session).Assembly;

    private readonly int _sabotage;
    private readonly List<string> _reached = [];
    private readonly List<string> _missing = [];

    public SeamLookup(int sabotage)
    {
        _sabotage = sabotage;
    }

    public int Count { get; private set; }

    public IReadOnlyList<string> Reached => _reached;

    public IReadOnlyList<string> Missing => _missing;

    /// <summary>An SSH.NET type by its full name (internal ones included).</summary>
    public Type? Type(string fullName)
    {
        var name = Next(fullName);
        return SshNet.GetType(name) ?? Miss<Type>(fullName);
    }

    /// <summary>A nested generic type definition, <c>Outer.Name`arity</c>.</summary>
    public Type? NestedType(Type? owner, string name)
    {
        var actual = Next(name);
        if (owner is null)
        {
            return null;
        }

        _reached.Add($"{owner.Name}.{name.Split('`')[0]}<>");
        return owner.GetNestedType(actual, BindingFlags.Public | BindingFlags.NonPublic) ?? Miss<Type>($"{owner.Name}.{name}");
    }

    /// <summary>A field, of exactly <paramref name="type"/> when given.</summary>
    public FieldInfo? Field(Type? owner, string name, Type? type = null)
    {
        var actual = Next(name);
        if (owner is null)
        {
            return null;
        }

        _reached.Add($"{owner.Name}.{name}");
        var field = owner.GetField(actual, Instance);
        if (field is null)
        {
            return Miss<FieldInfo>($"{owner.Name}.{name}");
        }

        return type is null || field.FieldType == type ? field : Miss<FieldInfo>($"{owner.Name}.{name} is {field.FieldType.Name}, not {type.Name}");
    }

    /// <summary>A property, of exactly <paramref name="type"/> when given, with a setter when <paramref name="settable"/>.</summary>
    public PropertyInfo? Property(Type? owner, string name, Type? type = null, bool settable = false, bool isStatic = false, bool onInterfaces = false)
    {
        var actual = Next(name);
        if (owner is null)
        {
            return null;
        }

        _reached.Add($"{owner.Name}.{name}");
        var property = Candidates(owner, onInterfaces).Select(t => t.GetProperty(actual, isStatic ? Static : Instance)).FirstOrDefault(p => p is not null);
        if (property is null)
        {
            return Miss<PropertyInfo>($"{owner.Name}.{name}");
        }

        if (type is not null && property.PropertyType != type)
        {
            return Miss<PropertyInfo>($"{owner.Name}.{name} is {property.PropertyType.Name}, not {type.Name}");
        }

        return !settable || property.SetMethod is not null ? property : Miss<PropertyInfo>($"{owner.Name}.{name} has no setter");
    }

    /// <summary>
    /// A method with exactly <paramref name="parameters"/> (null: the only one of that name) returning exactly
    /// <paramref name="returns"/> when given; <paramref name="onInterfaces"/> also searches the interfaces
    /// <paramref name="owner"/> extends (reflection over an interface does not show its base interfaces' members).
    /// </summary>
    public MethodInfo? Method(Type? owner, string name, Type?[]? parameters = null, Type? returns = null, bool onInterfaces = false)
    {
        var actual = Next(name);
        if (owner is null || parameters?.Any(p => p is null) == true)
        {
            return null;
        }

        _reached.Add($"{owner.Name}.{name}({(parameters is null ? "..." : string.Join(", ", parameters.Select(p => Display(p!))))})");
        MethodInfo? method;
        try
        {
            method = Candidates(owner, onInterfaces)
                .Select(t => parameters is null ? t.GetMethod(actual, Instance) : t.GetMethod(actual, Instance, null, parameters!, null))
                .FirstOrDefault(m => m is not null);
        }
        catch (AmbiguousMatchException)
        {
            return Miss<MethodInfo>($"{owner.Name}.{name} is overloaded");
        }

        if (method is null)
        {
            return Miss<MethodInfo>($"{owner.Name}.{name}");
        }

        return returns is null || method.ReturnType == returns ? method : Miss<MethodInfo>($"{owner.Name}.{name} returns {method.ReturnType.Name}, not {returns.Name}");
    }

    /// <summary>A constructor with exactly <paramref name="parameters"/>.</summary>
    public ConstructorInfo? Constructor(Type? owner, Type?[] parameters)
    {
        // A sabotaged constructor is asked for one parameter more, which no constructor takes.
        var sabotaged = Next(string.Empty).Length > 0;
        if (owner is null || parameters.Any(p => p is null))
        {
            return null;
        }

        var description = $"{Display(owner)}({string.Join(", ", parameters.Select(p => Display(p!)))})";
        _reached.Add(description);
        var given = parameters.Select(p => p!);
        Type[] types = sabotaged ? [.. given, typeof(SeamLookup)] : [.. given];
        return owner.GetConstructor(Instance, null, types, null) ?? Miss<ConstructorInfo>(description);
    }

    /// <summary>An event, with exactly <paramref name="handlerType"/> when given.</summary>
    public EventInfo? Event(Type? owner, string name, Type? handlerType = null)
    {
        var actual = Next(name);
        if (owner is null)
        {
            return null;
        }

        _reached.Add($"{owner.Name}.{name}");
        var @event = owner.GetEvent(actual, Instance);
        if (@event is null)
        {
            return Miss<EventInfo>($"{owner.Name}.{name}");
        }

        return handlerType is null || @event.EventHandlerType == handlerType ? @event : Miss<EventInfo>($"{owner.Name}.{name} is {@event.EventHandlerType?.Name}, not {handlerType.Name}");
    }

    /// <summary>A shape the lookups above cannot say; counted like a lookup, and a sabotaged one fails.</summary>
    public bool Require(bool holds, string what)
    {
        var sabotaged = Next(string.Empty).Length > 0;
        if (holds && !sabotaged)
        {
            return true;
        }

        _missing.Add(what);
        return false;
    }

    /// <summary>A type as C# writes it (<c>IDictionary&lt;TerminalModes, UInt32&gt;</c>), for the README's table.</summary>
    private static string Display(Type type) =>
        type.IsGenericType ? $"{type.Name.Split('`')[0]}<{string.Join(", ", type.GetGenericArguments().Select(Display))}>" : type.Name;

    private static IEnumerable<Type> Candidates(Type owner, bool onInterfaces) => onInterfaces ? new[] { owner }.Concat(owner.GetInterfaces()) : [owner];

    private string Next(string name) => Count++ == _sabotage ? name + "Sabotaged" : name;

    private T? Miss<T>(string what)
        where T : class
    {
        _missing.Add(what);
        return null;
    }
}
