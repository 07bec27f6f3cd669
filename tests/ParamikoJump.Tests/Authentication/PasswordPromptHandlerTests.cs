using ParamikoJump.Authentication;

namespace ParamikoJump.Tests.Authentication;

public class PasswordPromptHandlerTests
{
    [Fact]
    public void A_lone_hidden_prompt_gets_the_password()
    {
        var handler = new PasswordPromptHandler("pw");

        Assert.Equal(["pw"], handler.Respond(TestHops.Round(1, ("Password: ", false))));
    }

    [Fact]
    public void A_second_factor_needs_a_real_handler()
    {
        var handler = new PasswordPromptHandler("pw-secret");

        var error = Assert.Throws<KeyboardInteractiveException>(() => handler.Respond(TestHops.Round(2, ("Verification code: ", false))));

        Assert.Contains("pass an authHandler", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret", error.Message, StringComparison.Ordinal);
    }
}
