using ParamikoJump.Authentication;

namespace ParamikoJump.Tests.Authentication;

public class SimpleAuthHandlerTests
{
    [Fact]
    public void Shows_instruction_and_prompts_labelled_with_the_hop_and_reads_a_line_per_prompt()
    {
        var output = new StringWriter();
        var handler = new SimpleAuthHandler(new StringReader("pw\n123456\n"), output);
        var round = new KeyboardInteractiveRound(TestHops.Target, 1, "Two factors please", "",
            [new KeyboardInteractivePrompt(0, "Password: ", false), new KeyboardInteractivePrompt(1, "Verification code: ", false)]);

        var answers = handler.Respond(round);

        Assert.Equal(["pw", "123456"], answers);
        Assert.Equal(string.Join(Environment.NewLine, "Two factors please", "(admin@db.internal) Password: ", "(admin@db.internal) Verification code: ", ""), output.ToString());
    }

    [Fact]
    public void Says_nothing_and_answers_nothing_for_an_empty_round()
    {
        var output = new StringWriter();
        var handler = new SimpleAuthHandler(new StringReader(""), output);

        Assert.Empty(handler.Respond(TestHops.Round(1)));
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public void Ended_input_is_an_error_naming_the_prompt_and_hop()
    {
        var handler = new SimpleAuthHandler(new StringReader(""), new StringWriter());

        var error = Assert.Throws<EndOfStreamException>(() => handler.Respond(TestHops.Round(1, ("Verification code: ", false))));

        Assert.Contains("Verification code:", error.Message, StringComparison.Ordinal);
        Assert.Contains("db.internal:2222", error.Message, StringComparison.Ordinal);
    }
}
