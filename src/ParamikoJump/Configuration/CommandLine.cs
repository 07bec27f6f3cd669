namespace ParamikoJump.Configuration;

/// <summary>
/// The names ssh refuses on its command line, where a shell may meet them (ssh_valid_hostname and ssh_valid_ruser
/// of OpenSSH 10.3, in Debian 12's 9.2p1-2+deb12u10): a destination, a <c>-l</c> user, every hop of a <c>-J</c> list,
/// and so every jump ssh's own ProxyJump starts.
/// </summary>
internal static class CommandLine
{
    public static bool ValidHostName(string name)
    {
        if (name.Length > 0 && name[0] == '-')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (In("'`\"$\\;&<>|(){},", c) || IsSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool ValidRemoteUser(string user)
    {
        if (user.Length > 0 && user[0] == '-')
        {
            return false;
        }

        for (var i = 0; i < user.Length; i++)
        {
            var c = user[i];
            if (char.IsControl(c) || In("'`\";&<>|(){}", c))
            {
                return false;
            }

            if (IsSpace(c) && i + 1 < user.Length && user[i + 1] == '-')
            {
                return false;
            }

            if (c == '\\' && i + 1 == user.Length)
            {
                return false;
            }
        }

        return true;
    }

    private static bool In(string set, char c)
    {
        foreach (var member in set)
        {
            if (member == c)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
