using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using ParamikoJump.Authentication;
using Renci.SshNet.Common;

namespace ParamikoJump.Tests.Authentication;

public class TrackedKeyboardInteractiveMethodTests
{
    private static TrackedKeyboardInteractiveMethod Method(IKeyboardInteractiveHandler handler) =>
        new("admin", handler, TestHops.Tracker(TestHops.Target));

    private static AuthenticationPromptEventArgs Request(string instruction, params AuthenticationPrompt[] prompts) =>
        new("admin", instruction, "en", prompts);

    [Fact]
    public void The_handler_sees_hop_instruction_prompts_echo_flags_and_round_number()
    {
        var handler = new Mock<IKeyboardInteractiveHandler>();
        KeyboardInteractiveRound? seen = null;
        handler.Setup(h => h.Respond(It.IsAny<KeyboardInteractiveRound>()))
            .Callback<KeyboardInteractiveRound>(r => seen = r)
            .Returns(["pw", "1"]);
        var prompts = new[] { new AuthenticationPrompt(0, false, "Password: "), new AuthenticationPrompt(1, true, "Option: ") };

        Method(handler.Object).AnswerRound(Request("Log in", prompts));

        Assert.NotNull(seen);
        Assert.Same(TestHops.Target, seen.Hop);
        Assert.Equal("db.internal", seen.Host);
        Assert.Equal("admin", seen.Username);
        Assert.Equal(1, seen.RoundNumber);
        Assert.Equal("Log in", seen.Instruction);
        Assert.Equal("en", seen.Language);
        Assert.Equal(["Password: ", "Option: "], seen.Prompts.Select(p => p.Text));
        Assert.Equal([false, true], seen.Prompts.Select(p => p.IsEchoed));
        Assert.Equal("pw", prompts[0].Response);
        Assert.Equal("1", prompts[1].Response);
    }

    [Fact]
    public void Every_round_reaches_the_handler_with_increasing_numbers_even_without_prompts()
    {
        var handler = new Mock<IKeyboardInteractiveHandler>();
        var numbers = new List<int>();
        handler.Setup(h => h.Respond(It.IsAny<KeyboardInteractiveRound>()))
            .Callback<KeyboardInteractiveRound>(r => numbers.Add(r.RoundNumber))
            .Returns<KeyboardInteractiveRound>(r => r.Prompts.Select(_ => "x").ToList());
        var method = Method(handler.Object);

        method.AnswerRound(Request("banner only"));
        method.AnswerRound(Request("", new AuthenticationPrompt(0, false, "Password: ")));

        Assert.Equal([1, 2], numbers);
    }

    [Fact]
    public void Too_few_answers_fail_before_anything_is_sent()
    {
        var handler = new Mock<IKeyboardInteractiveHandler>();
        handler.Setup(h => h.Respond(It.IsAny<KeyboardInteractiveRound>())).Returns(["only-one"]);
        var prompts = new[] { new AuthenticationPrompt(0, false, "Password: "), new AuthenticationPrompt(1, false, "Code: ") };

        var error = Assert.Throws<KeyboardInteractiveException>(() => Method(handler.Object).AnswerRound(Request("", prompts)));

        Assert.Contains("gave 1 answer(s) to the 2 prompt(s) of round 1", error.Message, StringComparison.Ordinal);
        Assert.Null(prompts[0].Response);
    }

    [Fact]
    public void A_handler_that_throws_becomes_a_typed_error_with_the_cause()
    {
        var handler = new Mock<IKeyboardInteractiveHandler>();
        handler.Setup(h => h.Respond(It.IsAny<KeyboardInteractiveRound>())).Throws(new InvalidOperationException("token service down"));

        var error = Assert.Throws<KeyboardInteractiveException>(() =>
            Method(handler.Object).AnswerRound(Request("", new AuthenticationPrompt(0, false, "Verification code: "))));

        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal("Verification code: ", error.Prompt);
        Assert.Contains("token service down", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_answer_is_refused()
    {
        var handler = new Mock<IKeyboardInteractiveHandler>();
        handler.Setup(h => h.Respond(It.IsAny<KeyboardInteractiveRound>())).Returns([null!]);

        Assert.Throws<KeyboardInteractiveException>(() =>
            Method(handler.Object).AnswerRound(Request("", new AuthenticationPrompt(0, false, "Password: "))));
    }
}
