using ParamikoJump.Configuration;
using ParamikoJump.Execution;
using ParamikoJump.Keys;
using ParamikoJump.Pooling;
using Renci.SshNet.Common;

namespace ParamikoJump.Tests;

/// <summary>
/// README's "What to catch": every ParamikoJump error is an <see cref="IHopFailure"/> and an SSH.NET exception, and
/// <c>catch (ParamikoJumpException)</c> catches exactly the errors of the table's last row; the others derive from the
/// SSH.NET type the same failure raises.
/// </summary>
public class ExceptionHierarchyTests
{
    private static readonly Type[] PublicExceptions = typeof(SshJumpClient).Assembly.GetExportedTypes()
        .Where(type => typeof(Exception).IsAssignableFrom(type))
        .ToArray();

    [Fact]
    public void Every_public_error_is_an_SSH_NET_exception_that_names_its_hop_and_stage()
    {
        Assert.NotEmpty(PublicExceptions);
        Assert.All(PublicExceptions, type =>
        {
            Assert.True(typeof(SshException).IsAssignableFrom(type), $"{type.Name} is no SshException");
            Assert.True(typeof(IHopFailure).IsAssignableFrom(type), $"{type.Name} is no IHopFailure");
        });
    }

    [Fact]
    public void Catching_ParamikoJumpException_catches_exactly_the_errors_README_lists_in_the_last_row()
    {
        var listed = new[]
        {
            typeof(ParamikoJumpException), typeof(HopKeyException), typeof(CommandOutputLimitException), typeof(ChannelWindowException),
            typeof(CommandRequestRefusedException), typeof(SshConfigException), typeof(LeaseTimeoutException),
        };

        var caught = PublicExceptions.Where(typeof(ParamikoJumpException).IsAssignableFrom);

        Assert.Equal(listed.Select(type => type.Name).Order(), caught.Select(type => type.Name).Order());
    }

    [Fact]
    public void A_silent_hops_error_names_its_keep_alive_interval_the_same_way_whatever_the_culture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var error = new HopUnresponsiveException(TestHops.Bastion, TimeSpan.FromSeconds(1.5), 3);

            Assert.Contains("3 keep-alive request(s) sent every 1.5 s", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }
}
