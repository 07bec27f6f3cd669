using System.Text;
using Microsoft.Extensions.Time.Testing;
using ParamikoJump.Authentication;

namespace ParamikoJump.Tests.Authentication;

/// <summary>TotpSource against RFC 6238's test vectors and its reuse protection on a fake clock; PromptHandler's rules; CompositeAuthHandler.</summary>
public sealed class TotpAndPromptHandlerTests
{
    private const string Sha1Seed = "12345678901234567890";
    private const string Sha256Seed = "12345678901234567890123456789012";
    private const string Sha512Seed = "1234567890123456789012345678901234567890123456789012345678901234";

    /// <summary>RFC 6238 appendix B: time, algorithm, expected 8-digit code.</summary>
    public static TheoryData<long, TotpAlgorithm, string> Rfc6238 { get; } = new()
    {
        { 59, TotpAlgorithm.Sha1, "94287082" }, { 59, TotpAlgorithm.Sha256, "46119246" }, { 59, TotpAlgorithm.Sha512, "90693936" },
        { 1111111109, TotpAlgorithm.Sha1, "07081804" }, { 1111111109, TotpAlgorithm.Sha256, "68084774" }, { 1111111109, TotpAlgorithm.Sha512, "25091201" },
        { 1111111111, TotpAlgorithm.Sha1, "14050471" }, { 1111111111, TotpAlgorithm.Sha256, "67062674" }, { 1111111111, TotpAlgorithm.Sha512, "99943326" },
        { 1234567890, TotpAlgorithm.Sha1, "89005924" }, { 1234567890, TotpAlgorithm.Sha256, "91819424" }, { 1234567890, TotpAlgorithm.Sha512, "93441116" },
        { 2000000000, TotpAlgorithm.Sha1, "69279037" }, { 2000000000, TotpAlgorithm.Sha256, "90698825" }, { 2000000000, TotpAlgorithm.Sha512, "38618901" },
        { 20000000000, TotpAlgorithm.Sha1, "65353130" }, { 20000000000, TotpAlgorithm.Sha256, "77737706" }, { 20000000000, TotpAlgorithm.Sha512, "47863826" },
    };

    [Theory]
    [MemberData(nameof(Rfc6238))]
    public void Codes_match_the_RFC_6238_test_vectors(long unixTime, TotpAlgorithm algorithm, string expected)
    {
        var seed = algorithm switch { TotpAlgorithm.Sha256 => Sha256Seed, TotpAlgorithm.Sha512 => Sha512Seed, _ => Sha1Seed };
        var source = new TotpSource(Base32(Encoding.ASCII.GetBytes(seed)), algorithm, digits: 8);

        Assert.Equal(expected, source.ComputeCode(DateTimeOffset.FromUnixTimeSeconds(unixTime)));
    }

    [Fact]
    public void Six_digit_codes_are_the_last_six_digits_and_the_period_changes_the_step()
    {
        var secret = Base32(Encoding.ASCII.GetBytes(Sha1Seed));
        var at = DateTimeOffset.FromUnixTimeSeconds(1111111109);

        Assert.Equal("081804", new TotpSource(secret).ComputeCode(at));
        Assert.Equal(1111111109 / 60, new TotpSource(secret, period: TimeSpan.FromSeconds(60)).TimeStep(at));
        Assert.Equal("7081804", new TotpSource(secret.ToLowerInvariant() + "====", digits: 7).ComputeCode(at));
    }

    [Fact]
    public void A_code_always_belongs_to_the_step_its_time_falls_in_even_a_moment_after_a_boundary()
    {
        var source = new TotpSource("JBSWY3DPEHPK3PXP", period: TimeSpan.FromSeconds(3));
        var boundary = DateTimeOffset.FromUnixTimeSeconds(1_796_012_433);

        foreach (var ticks in new long[] { 1, 10, 1000, 10_000 })
        {
            Assert.Equal(source.ComputeCode(boundary.AddSeconds(1)), source.ComputeCode(boundary.AddTicks(ticks)));
            Assert.Equal(source.ComputeCode(boundary.AddSeconds(-1)), source.ComputeCode(boundary.AddTicks(-ticks)));
        }
    }

    [Theory]
    [InlineData("", 6, 30)]
    [InlineData("not base32!", 6, 30)]
    [InlineData("JBSWY3DPEHPK3PXP", 5, 30)]
    [InlineData("JBSWY3DPEHPK3PXP", 9, 30)]
    [InlineData("JBSWY3DPEHPK3PXP", 6, 0)]
    public void Bad_secrets_digits_and_periods_are_refused(string secret, int digits, int seconds)
    {
        Assert.ThrowsAny<ArgumentException>(() => new TotpSource(secret, digits: digits, period: TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void The_secret_never_shows_in_ToString()
    {
        var source = new TotpSource("JBSWY3DPEHPK3PXP");

        Assert.Equal("TotpSource (SHA1, 6 digits, 30 s)", source.ToString());
    }

    [Fact]
    public async Task With_reuse_protection_a_second_code_in_the_same_step_waits_for_the_next_step()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_010));
        var secret = UniqueSecret();
        var source = new TotpSource(secret, period: TimeSpan.FromSeconds(30), timeProvider: clock);

        var first = await source.NextCodeAsync(TestContext.Current.CancellationToken);
        var second = source.NextCodeAsync(TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(source.ComputeCode(DateTimeOffset.FromUnixTimeSeconds(1_800_000_010)), first);
        Assert.Equal(source.ComputeCode(DateTimeOffset.FromUnixTimeSeconds(1_800_000_030)), await second);
    }

    [Fact]
    public async Task Sources_with_the_same_secret_share_what_was_used_so_a_new_source_per_login_still_waits()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var secret = UniqueSecret();
        await new TotpSource(secret, timeProvider: clock).NextCodeAsync(TestContext.Current.CancellationToken);

        var again = new TotpSource(secret, timeProvider: clock).NextCodeAsync(TestContext.Current.CancellationToken);

        Assert.False(again.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(new TotpSource(secret).ComputeCode(DateTimeOffset.FromUnixTimeSeconds(1_800_000_030)), await again);
    }

    [Fact]
    public async Task Without_reuse_protection_the_same_step_is_given_again_until_a_code_is_reported_refused()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var source = new TotpSource(UniqueSecret(), timeProvider: clock) { ReuseProtection = false };

        var first = await source.NextCodeAsync(TestContext.Current.CancellationToken);
        var second = await source.NextCodeAsync(TestContext.Current.CancellationToken);
        source.ReportRefused(second);
        var third = source.NextCodeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(first, second);
        Assert.False(third.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.NotEqual(first, await third);
    }

    [Fact]
    public async Task A_wait_for_the_next_step_ends_with_the_login_budget()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var source = new TotpSource(UniqueSecret(), timeProvider: clock);
        await source.NextCodeAsync(TestContext.Current.CancellationToken);
        using var budget = new CancellationTokenSource();

        var waiting = source.NextCodeAsync(budget.Token);
        await budget.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task Rules_answer_by_prompt_text_first_match_wins_and_one_time_password_is_not_taken_for_password()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var totp = new TotpSource(UniqueSecret(), timeProvider: clock);
        var handler = new PromptHandler()
            .On("^Password:", "s3cret")
            .On("One-time password|Verification code", totp)
            .On(@"Passcode or option \(1-\d\)", "1")
            .On(p => p.IsEchoed && p.Text.StartsWith("Name", StringComparison.Ordinal), "echoed-name");

        var answers = await handler.RespondAsync(
            TestHops.Round(1, ("Password: ", false), ("One-time password (OATH) for `ops': ", false), ("Passcode or option (1-3): ", true), ("Name: ", true)),
            TestContext.Current.CancellationToken);

        Assert.Equal(["s3cret", totp.ComputeCode(clock.GetUtcNow()), "1", "echoed-name"], answers);
    }

    [Fact]
    public async Task The_TOTP_code_is_computed_when_the_prompt_arrives_so_one_handler_serves_many_logins()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var totp = new TotpSource(UniqueSecret(), timeProvider: clock);
        var handler = new PromptHandler().On("Verification code", totp);
        var codes = new List<string>();

        for (var login = 0; login < 3; login++)
        {
            codes.Add((await handler.RespondAsync(TestHops.Round(1, ("Verification code: ", false)), TestContext.Current.CancellationToken))[0]);
            clock.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(3, codes.Distinct().Count());
    }

    [Fact]
    public async Task A_prompt_no_rule_matches_is_an_error_naming_the_escaped_prompt_and_no_answer()
    {
        var handler = new PromptHandler().On("^Password:", "s3cret-answer");

        var error = await Assert.ThrowsAsync<KeyboardInteractiveException>(() =>
            handler.RespondAsync(TestHops.Round(2, ("Password: ", false), ("Token\u001b[2J: ", false)), TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(2, error.Round);
        Assert.Equal("Token\u001b[2J: ", error.Prompt);
        Assert.Contains("'Token\\x1b[2J:'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-answer", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-answer", handler.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_rounds_are_answered_with_nothing()
    {
        var answers = await new PromptHandler().RespondAsync(TestHops.Round(1), TestContext.Current.CancellationToken);

        Assert.Empty(answers);
    }

    [Fact]
    public async Task A_failed_login_reports_the_code_it_sent_as_refused_so_the_next_login_uses_a_later_step()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var totp = new TotpSource(UniqueSecret(), timeProvider: clock) { ReuseProtection = false };
        var handler = new PromptHandler().On("code", totp);
        IKeyboardInteractiveHandler asHandler = handler;

        var sent = asHandler.Respond(TestHops.Round(1, ("code: ", false)))[0];
        ((ILoginOutcomeObserver)handler).LoginFailed();
        var next = totp.NextCodeAsync(TestContext.Current.CancellationToken);

        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.NotEqual(sent, await next);
    }

    [Fact]
    public async Task Composite_handlers_ask_in_order_and_the_first_that_answers_wins()
    {
        var composite = new CompositeAuthHandler(
            new PromptHandler().On("^Password:", "pw"),
            new MagicAuthHandler(["from-queue"]),
            new PromptHandler().On(".*", "fallback"));

        var password = await composite.RespondAsync(TestHops.Round(1, ("Password: ", false)), TestContext.Current.CancellationToken);
        var queued = await composite.RespondAsync(TestHops.Round(2, ("Anything: ", false)), TestContext.Current.CancellationToken);
        var fallback = await composite.RespondAsync(TestHops.Round(3, ("Anything: ", false)), TestContext.Current.CancellationToken);

        Assert.Equal(["pw"], password);
        Assert.Equal(["from-queue"], queued);
        Assert.Equal(["fallback"], fallback);
    }

    [Fact]
    public async Task When_no_handler_answers_the_error_says_why_each_declined()
    {
        var composite = new CompositeAuthHandler(new PromptHandler().On("^Password:", "pw"), new MagicAuthHandler());

        var error = await Assert.ThrowsAsync<KeyboardInteractiveException>(() =>
            composite.RespondAsync(TestHops.Round(1, ("Verification code: ", false)), TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("PromptHandler", error.Message, StringComparison.Ordinal);
        Assert.Contains("MagicAuthHandler", error.Message, StringComparison.Ordinal);
        Assert.Equal("Verification code: ", error.Prompt);
    }

    private static string UniqueSecret() => Base32(Guid.NewGuid().ToByteArray());

    private static string Base32(byte[] data)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}
