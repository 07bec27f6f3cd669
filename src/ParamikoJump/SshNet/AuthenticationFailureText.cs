using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace ParamikoJump.SshNet;

/// <summary>
/// SSH.NET's <c>SshAuthenticationException</c> carries what the server still allows only in its message text,
/// "Permission denied (publickey,password).". Read here, once; if SSH.NET ever words it differently (pinned by
/// AuthenticationFailureTextTests against a real server), errors still name the methods tried and fall back to "nothing more" for what is left.
/// </summary>
internal static class AuthenticationFailureText
{
    private static readonly Regex AllowedInMessage = new(@"\(([a-z0-9@.\-]+(?:,[a-z0-9@.\-]+)*)\)\.?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public static IReadOnlyList<string> AllowedMethods(string message) =>
        AllowedInMessage.Match(message) is { Success: true } match ? match.Groups[1].Value.Split(',') : [];
}
