using System.Runtime.CompilerServices;
using ParamikoJump.Keys;

namespace ParamikoJump.Tests;

internal static class IsolatedKeyEnvironment
{
    /// <summary>Every hop built in this test assembly sees an empty home and no agent unless a test gives its own.</summary>
    [ModuleInitializer]
    internal static void Isolate() =>
        KeyEnvironment.Override = new KeyEnvironment(Path.Combine(Path.GetTempPath(), "paramikojump-tests-no-home-" + Guid.NewGuid().ToString("N")), agentSocket: null);
}
