using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace PortkeyJwt.Cli;

/// <summary>
/// The one sentence a failed parse is reported with. System.CommandLine reports an unknown option as an
/// "unrecognized argument" and quotes the next argument instead (often the token), and may report several errors for one
/// mistake; this names the real mistake, in this order:
/// <list type="number">
/// <item>an unknown option (an argument starting with <c>-</c> where a token or command belongs), with the command's closest option;</item>
/// <item>an unknown command, with the closest command;</item>
/// <item>an argument beyond the command's one token;</item>
/// <item>otherwise System.CommandLine's first error (a value of the wrong type reworded without .NET type names).</item>
/// </list>
/// </summary>
internal static class UsageErrors
{
    /// <summary>
    /// Why <paramref name="parsed"/> cannot run, or null when it can (or when it asks for help or the version). Not yet
    /// redacted: the caller passes it through <see cref="TokenRedaction.Redact"/>.
    /// </summary>
    public static string? Describe(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        if (parsed.Action is CommandLineAction { ClearsParseErrors: true })
        {
            return null;
        }

        CommandResult result = parsed.CommandResult;
        Command command = result.Command;
        string commandName = command is RootCommand ? Cli.RootName : command.Name;

        if (command is RootCommand root)
        {
            string[] commands = [.. root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)];
            if (parsed.UnmatchedTokens.Count == 0)
            {
                return parsed.Errors.Count == 0 ? null : $"no command given; the commands are {string.Join(", ", commands)}";
            }

            string unknown = parsed.UnmatchedTokens[0];
            if (IsOptionLike(unknown))
            {
                return UnknownOption(unknown, result, commandName);
            }

            return Closest(unknown, commands) is { } suggestion
                ? $"unknown command '{unknown}'; did you mean '{suggestion}'?"
                : $"unknown command '{unknown}'; the commands are {string.Join(", ", commands)}";
        }

        // SCL files an unknown option under the command's argument when that is still empty, else as unmatched.
        HashSet<string> afterDoubleDash = [.. parsed.Tokens.SkipWhile(t => t.Type != TokenType.DoubleDash).Skip(1).Select(t => t.Value)];
        string[] positional = [.. result.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value), .. parsed.UnmatchedTokens];
        if (positional.FirstOrDefault(p => IsOptionLike(p) && !afterDoubleDash.Contains(p)) is { } option)
        {
            return UnknownOption(option, result, commandName);
        }

        if (parsed.UnmatchedTokens.Count > 0)
        {
            string extra = parsed.UnmatchedTokens[0];
            return command.Arguments.Count == 1 && command.Arguments[0].Name == "token"
                ? $"'{commandName}' takes one token (or - for stdin); unexpected extra argument '{extra}'"
                : $"'{commandName}' takes no arguments; unexpected '{extra}'";
        }

        return parsed.Errors.Count > 0 ? Reword(parsed.Errors[0]) : null;
    }

    /// <summary>
    /// SCL's message, except for a value of the wrong type: "--skew expects a whole number, not 'soon'" rather than
    /// "Cannot parse argument 'soon' for option '--skew' as expected type 'System.Nullable`1[System.Int32]'".
    /// </summary>
    private static string Reword(ParseError error)
    {
        if (error.SymbolResult is OptionResult { Option: { } option, Tokens: [{ } value] }
            && error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
        {
            Type type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            string expected = type == typeof(int) || type == typeof(long) ? "a whole number" : type == typeof(bool) ? "true or false" : $"a {type.Name}";
            return $"{option.Name} expects {expected}, not '{value.Value}'";
        }

        return error.Message;
    }

    /// <summary>An argument that can only be meant as an option: a dash and more (a lone <c>-</c> means stdin).</summary>
    private static bool IsOptionLike(string argument) => argument.Length > 1 && argument[0] == '-';

    private static string UnknownOption(string argument, CommandResult result, string commandName)
    {
        string name = argument.Split('=', ':')[0];
        string? closest = Closest(name, OptionNames(result));
        return $"unknown option '{name}' for '{commandName}'" + (closest is null ? "" : $"; did you mean '{closest}'?");
    }

    /// <summary>
    /// The candidate closest to <paramref name="typed"/> by edit distance (insertions, deletions, substitutions and swaps of
    /// neighbours, ignoring case and leading dashes), or null when none is close: at most 1 edit for up to 4 characters,
    /// 2 up to 8, 3 beyond. Ties go to the earlier candidate.
    /// </summary>
    internal static string? Closest(string typed, IEnumerable<string> candidates)
    {
        ReadOnlySpan<char> bare = typed.AsSpan().TrimStart('-');
        int allowed = bare.Length switch { < 2 => 0, <= 4 => 1, <= 8 => 2, _ => 3 };
        string? best = null;
        int bestDistance = allowed + 1;
        foreach (string candidate in candidates)
        {
            int distance = EditDistance(bare, candidate.AsSpan().TrimStart('-'));
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>The optimal string alignment distance, case-insensitive (ASCII option and command names).</summary>
    internal static int EditDistance(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        // Three rows of the dynamic-programming table: two back (for swaps), previous, current.
        int[] twoBack = new int[b.Length + 1];
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 2]) && char.ToLowerInvariant(a[i - 2]) == char.ToLowerInvariant(b[j - 1]))
                {
                    current[j] = Math.Min(current[j], twoBack[j - 2] + 1);
                }
            }

            (twoBack, previous, current) = (previous, current, twoBack);
        }

        return previous[b.Length];
    }

    /// <summary>The options valid on <paramref name="result"/>'s command: its own and its ancestors' recursive ones (--help).</summary>
    private static IEnumerable<string> OptionNames(CommandResult result)
    {
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult level)
            {
                foreach (Option option in level.Command.Options.Where(o => !o.Hidden && (level == result || o.Recursive)))
                {
                    yield return option.Name;
                    foreach (string alias in option.Aliases)
                    {
                        yield return alias;
                    }
                }
            }
        }
    }
}
