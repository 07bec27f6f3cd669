namespace ParamikoJump.Authentication;

/// <summary>
/// Implemented by a keyboard-interactive handler that also wants the server's login banner
/// (SSH_MSG_USERAUTH_BANNER, e.g. "Authorized use only"). <see cref="SimpleAuthHandler"/> prints it.
/// </summary>
public interface IAuthenticationBannerHandler
{
    /// <summary>Called when the server sends its login banner, before or between authentication rounds.</summary>
    /// <param name="hop">The hop that is logging in.</param>
    /// <param name="banner">The banner exactly as the server sent it: escape it before showing it to a person.</param>
    void ShowBanner(HopIdentity hop, string banner);
}
