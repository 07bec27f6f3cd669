#if NET8_0_OR_GREATER
using System;
using System.Reflection;
using System.Threading;

namespace ParamikoJump.SshNet;

/// <summary>
/// Enters and leaves one of SSH.NET's private locks. SSH.NET's builds for .NET 9 and later use
/// <c>System.Threading.Lock</c>, which a <c>lock</c> statement on it as an <see cref="object"/> (or
/// <see cref="Monitor"/>) does not exclude; its builds for earlier runtimes use a plain object.
/// </summary>
internal static class ChannelLock
{
    public static void Enter(object gate)
    {
        if (LockMethods(gate) is { } methods)
        {
            methods.Enter.Invoke(gate, null);
        }
        else
        {
            Monitor.Enter(gate);
        }
    }

    public static bool TryEnter(object gate) =>
        LockMethods(gate) is { } methods ? (bool)methods.TryEnter.Invoke(gate, null)! : Monitor.TryEnter(gate);

    public static void Exit(object gate)
    {
        if (LockMethods(gate) is { } methods)
        {
            methods.Exit.Invoke(gate, null);
        }
        else
        {
            Monitor.Exit(gate);
        }
    }

    private static (MethodInfo Enter, MethodInfo TryEnter, MethodInfo Exit)? LockMethods(object gate) =>
        gate.GetType() is { FullName: "System.Threading.Lock" } type
            && type.GetMethod("Enter", Type.EmptyTypes) is { } enter
            && type.GetMethod("TryEnter", Type.EmptyTypes) is { } tryEnter
            && type.GetMethod("Exit", Type.EmptyTypes) is { } exit
            ? (enter, tryEnter, exit)
            : null;
}
#endif
