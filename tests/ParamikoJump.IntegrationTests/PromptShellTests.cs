using System.Text.RegularExpressions;
using ParamikoJump.Execution;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// A CLI behind the bastion driven by its prompts, as network gear is (paramiko-jump's <c>sh ip int br</c>): the lab's
/// target stands in for the device, its shell switched to a router-like prompt without line editing.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class PromptShellTests(LabFixture fixture)
{
    private static readonly Regex RouterPrompt = new(@"lab-router# $");

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 90_000)]
    public async Task Commands_at_a_prompt_behind_the_bastion_return_their_output_without_echo_or_prompt()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var client = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        using var shell = new PromptShell(client, new Regex(@"\$ $"), TimeSpan.FromSeconds(30));

        shell.SendAndExpect("PS1='lab-router# ' exec bash --norc --noediting", RouterPrompt);
        var interfaces = shell.SendAndExpect("printf 'Interface  IP-Address  Status\\neth0       10.231.2.2  up\\n'", RouterPrompt);
        var name = shell.SendAndExpect("uname -s", RouterPrompt);
        var nothing = shell.SendAndExpect("true", RouterPrompt);

        Assert.Equal("Interface  IP-Address  Status\neth0       10.231.2.2  up\n", interfaces);
        Assert.Equal("Linux\n", name);
        Assert.Equal("", nothing);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_prompt_that_never_comes_is_a_timeout_naming_the_hop_and_the_pattern_with_the_output_escaped()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var client = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        using var shell = new PromptShell(client, new Regex(@"\$ $"), TimeSpan.FromSeconds(30));
        shell.SendAndExpect("PS1='lab-router# ' exec bash --norc --noediting", RouterPrompt);

        var error = Assert.Throws<HopTimeoutException>(() =>
            shell.SendAndExpect("printf '\\033[31mconfigure terminal? '; sleep 5", new Regex("never-matches"), TimeSpan.FromSeconds(1)));

        Assert.Equal((HopStage.Session, TimeSpan.FromSeconds(1)), (error.Stage, error.Budget));
        Assert.Equal(client.Hop, error.Hop);
        Assert.Contains("/never-matches/", error.Message, StringComparison.Ordinal);
        Assert.Contains("\\x1b[31mconfigure terminal?", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", error.Message, StringComparison.Ordinal);
        Assert.Contains("within 1 s", error.Message, StringComparison.Ordinal);
    }
}
