namespace ParamikoJump.Tests;

public class ServerTextTests
{
    [Theory]
    [InlineData("\x1b[2JPassword: ", "\\x1b[2JPassword: ")]
    [InlineData("fake\roverwrite", "fake\\x0doverwrite")]
    [InlineData("bell\x07 and del\x7f", "bell\\x07 and del\\x7f")]
    [InlineData("c1 \u009b31m", "c1 \\x9b31m")]
    [InlineData("rtl \u202eevil \u2066iso\u2069 zw\u200b bom\ufeff", "rtl \\u202eevil \\u2066iso\\u2069 zw\\u200b bom\\ufeff")]
    [InlineData("tag \U000E0041 char", "tag \\U000e0041 char")]
    [InlineData("tab\tstays, ünïcödé stays, 😀 stays", "tab\tstays, ünïcödé stays, 😀 stays")]
    public void Controls_escapes_and_invisible_characters_are_shown_as_visible_escapes(string text, string shown) =>
        Assert.Equal(shown, ServerText.Escape(text));

    [Fact]
    public void A_lone_surrogate_is_escaped()
    {
        // Built in code: an attribute cannot carry a lone surrogate.
        var text = "lone " + (char)0xD800 + " surrogate";

        Assert.Equal("lone \\ud800 surrogate", ServerText.Escape(text));
    }

    [Fact]
    public void Line_breaks_stay_only_where_allowed_and_a_lone_carriage_return_never()
    {
        Assert.Equal("one\\x0atwo", ServerText.Escape("one\ntwo"));
        Assert.Equal("one\ntwo\nthree\\x0dfour", ServerText.Escape("one\r\ntwo\nthree\rfour", allowLineBreaks: true));
    }

    [Fact]
    public void Long_text_is_cut_and_the_rest_counted()
    {
        var shown = ServerText.Escape(new string('a', ServerText.MaxLength + 10));

        Assert.StartsWith(new string('a', ServerText.MaxLength), shown, StringComparison.Ordinal);
        Assert.EndsWith("... (10 more characters)", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_empty()
    {
        Assert.Equal("", ServerText.Escape(null));
        Assert.Equal("", ServerText.Escape(""));
    }
}
