using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Renci.SshNet;

namespace ParamikoJump.SshNet;

/// <summary>
/// Finds the logger factory SSH.NET itself uses, so one call to
/// <see cref="SshNetLoggingConfiguration.InitializeLogging"/> turns on ParamikoJump's log lines too.
/// SSH.NET keeps the getter internal; a unit test pins this to the version we ship with.
/// </summary>
internal static class SshNetLogging
{
    private static readonly PropertyInfo? GlobalFactory =
        typeof(SshNetLoggingConfiguration).GetProperty("LoggerFactory", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);

    public static ILoggerFactory Global => GlobalFactory?.GetValue(null) as ILoggerFactory ?? NullLoggerFactory.Instance;

    public static ILogger CreateLogger(ILoggerFactory? perConnection) => (perConnection ?? Global).CreateLogger("ParamikoJump");
}
