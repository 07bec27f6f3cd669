using System.Diagnostics.CodeAnalysis;

namespace ParamikoJump.Testing;

/// <summary>
/// Something a test needs is not on this machine (the lab, python3-paramiko, root, a throwaway sshd): the test is
/// skipped with the reason, except under CI=true, where it fails, so CI never passes on skipped tests.
/// </summary>
internal static class Unavailable
{
    public static bool UnderCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    [DoesNotReturn]
    public static void SkipOrFail(string reason)
    {
        if (UnderCi)
        {
            Assert.Fail($"CI=true, so this must be available: {reason}");
        }

        Assert.Skip(reason);
    }
}
