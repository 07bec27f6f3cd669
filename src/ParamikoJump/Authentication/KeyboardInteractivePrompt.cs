namespace ParamikoJump.Authentication;

/// <summary>One prompt of a keyboard-interactive round.</summary>
public sealed class KeyboardInteractivePrompt
{
    /// <summary>Creates a prompt.</summary>
    /// <param name="index">The 0-based position of the prompt in its round.</param>
    /// <param name="text">The prompt text as the server sent it, e.g. <c>Verification code: </c>.</param>
    /// <param name="isEchoed">Whether the server allows the answer to be shown while typed.</param>
    public KeyboardInteractivePrompt(int index, string text, bool isEchoed)
    {
        Index = index;
        Text = text ?? string.Empty;
        IsEchoed = isEchoed;
    }

    /// <summary>The 0-based position of the prompt in its round.</summary>
    public int Index { get; }

    /// <summary>The prompt text as the server sent it.</summary>
    public string Text { get; }

    /// <summary>Whether the answer may be shown while typed (false for passwords and codes).</summary>
    public bool IsEchoed { get; }

    /// <inheritdoc/>
    public override string ToString() => IsEchoed ? $"'{ServerText.Escape(Text)}' (echoed)" : $"'{ServerText.Escape(Text)}' (hidden)";
}
