using ParamikoJump.Authentication;

namespace ParamikoJump.Tests.Authentication;

public class MagicAuthHandlerTests
{
    [Fact]
    public void Rounds_are_answered_in_order()
    {
        var handler = new MagicAuthHandler(["s3cret"], ["1"]);

        Assert.Equal(["s3cret"], handler.Respond(TestHops.Round(1, ("Password: ", false))));
        Assert.Equal(["1"], handler.Respond(TestHops.Round(2, ("Passcode or option (1-3): ", true))));
        Assert.Equal(0, handler.RemainingRounds);
    }

    [Fact]
    public void Add_queues_a_round_per_call_and_chains()
    {
        var handler = new MagicAuthHandler().Add("pw").Add("123456");

        Assert.Equal(["pw"], handler.Respond(TestHops.Round(1, ("Password: ", false))));
        Assert.Equal(["123456"], handler.Respond(TestHops.Round(2, ("Verification code: ", false))));
    }

    [Fact]
    public void A_round_with_several_prompts_takes_one_queued_round()
    {
        var handler = new MagicAuthHandler(["pw", "123456"]);

        var answers = handler.Respond(TestHops.Round(1, ("Password: ", false), ("Verification code: ", false)));

        Assert.Equal(["pw", "123456"], answers);
    }

    [Fact]
    public void A_round_without_prompts_does_not_use_a_queued_round()
    {
        var handler = new MagicAuthHandler(["pw"]);

        Assert.Empty(handler.Respond(TestHops.Round(1)));
        Assert.Equal(1, handler.RemainingRounds);
        Assert.Equal(["pw"], handler.Respond(TestHops.Round(2, ("Password: ", false))));
    }

    [Fact]
    public void Running_out_fails_at_once_naming_round_and_prompt()
    {
        var handler = new MagicAuthHandler(["pw"]);
        handler.Respond(TestHops.Round(1, ("Password: ", false)));

        var error = Assert.Throws<KeyboardInteractiveException>(() => handler.Respond(TestHops.Round(2, ("Verification code: ", false))));

        Assert.Equal(2, error.Round);
        Assert.Equal("Verification code: ", error.Prompt);
        Assert.Equal(HopStage.Authentication, error.Stage);
        Assert.Same(TestHops.Target, error.Hop);
        Assert.Contains("no prepared answers left for round 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("Verification code:", error.Message, StringComparison.Ordinal);
        Assert.Contains("db.internal:2222", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_count_mismatch_fails_at_once_and_keeps_the_round()
    {
        var handler = new MagicAuthHandler(["pw", "extra"]);

        var error = Assert.Throws<KeyboardInteractiveException>(() => handler.Respond(TestHops.Round(1, ("Password: ", false))));

        Assert.Contains("prepared 2 answer(s) for round 1, but the server asked 1 prompt(s)", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.RemainingRounds);
    }

    [Fact]
    public void Answers_never_show_in_ToString_or_errors()
    {
        var handler = new MagicAuthHandler(["hunter2-secret", "x"]);

        var error = Assert.Throws<KeyboardInteractiveException>(() => handler.Respond(TestHops.Round(1, ("Password: ", false))));

        Assert.DoesNotContain("hunter2-secret", handler.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Null_answers_are_refused_when_queued()
    {
        var handler = new MagicAuthHandler();

        Assert.Throws<ArgumentException>(() => handler.Add(["pw", null!]));
    }

    [Fact]
    public void Concurrent_callers_each_get_a_distinct_round()
    {
        const int rounds = 2000;
        var handler = new MagicAuthHandler(Enumerable.Range(0, rounds).Select(i => (IReadOnlyList<string>)[i.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ToArray());
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, rounds, i => seen.Add(handler.Respond(TestHops.Round(1, ("Code: ", false)))[0]));

        Assert.Equal(rounds, seen.Distinct().Count());
        Assert.Equal(0, handler.RemainingRounds);
    }
}
