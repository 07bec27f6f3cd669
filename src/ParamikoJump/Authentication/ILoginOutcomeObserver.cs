namespace ParamikoJump.Authentication;

/// <summary>
/// A handler of ours that wants to know how the keyboard-interactive login it answered ended: a
/// <see cref="PromptHandler"/> reports the TOTP codes of a failed login as refused, so the next login uses a fresh
/// time step.
/// </summary>
internal interface ILoginOutcomeObserver
{
    void LoginFailed();

    void LoginSucceeded();
}
