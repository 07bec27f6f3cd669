using System.Reflection;
using System.Runtime.ExceptionServices;

namespace ParamikoJump.SshNet;

/// <summary>Calls into SSH.NET by reflection as if directly: its exceptions surface as themselves, not wrapped.</summary>
internal static class Reflected
{
    /// <summary>Invokes <paramref name="method"/> on <paramref name="target"/>; an exception it throws is rethrown with its own stack.</summary>
    public static object? Call(MethodInfo method, object? target, object?[]? args)
    {
        try
        {
            return method.Invoke(target, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Invokes <paramref name="constructor"/>; an exception it throws is rethrown with its own stack.</summary>
    public static object Construct(ConstructorInfo constructor, object?[] args)
    {
        try
        {
            return constructor.Invoke(args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
