using System;
using System.Reflection;
using Renci.SshNet;

namespace ParamikoJump.SshNet;

/// <summary>
/// Reaches the SSH.NET <see cref="Session"/> behind any connected client. SSH.NET keeps the property internal,
/// but the session's public events carry what users need to see, such as the jump server's reason for refusing
/// a channel. A unit test pins this to the SSH.NET version we ship with; if it ever fails, errors lose only the
/// server's reason, never correctness.
/// </summary>
internal static class SessionAccess
{
    private static readonly PropertyInfo? SessionProperty =
        typeof(BaseClient).GetProperty("Session", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

    public static Session? TryGetSession(BaseClient client)
    {
        try
        {
            return SessionProperty?.GetValue(client) as Session;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
