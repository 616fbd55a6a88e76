package dev.llmrotate.spi;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A state store URL ({@code redis://[[user]:password@]host[:port][/db][?options]} and the other Redis schemes) read
 * with {@link URI}, with its credentials percent-decoded and a masked rendering built from the parsed parts.
 *
 * <p>A password written raw with one of {@code # ? @ / :} (or a bare {@code %}) makes a URL that parsers read in
 * different ways: part of the password becomes the host (and a DNS lookup), the path or the fragment, and a naive
 * mask shows it. Such a URL is refused with a message that shows no part after the scheme and says to percent-encode
 * the password ({@code #} as {@code %23}, {@code ?} as {@code %3F}, {@code @} as {@code %40}, {@code /} as
 * {@code %2F}, {@code :} as {@code %3A}, {@code %} as {@code %25}); a percent-encoded password is decoded. Refused:
 * a URL {@link URI} cannot parse, more than one {@code @} or an {@code @} outside the authority, more than one
 * {@code :} in the user-info, a {@code redis://} or {@code rediss://} URL without a host or with a fragment.
 */
public final class StoreUrl {
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
    private static final String ENCODE_HINT = "percent-encode the special characters of the password"
            + " (# as %23, ? as %3F, @ as %40, / as %2F, : as %3A, % as %25)";

    private final String scheme;
    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final String masked;
    private final String raw;
    private final String rawPassword;

    private StoreUrl(
            String scheme,
            String host,
            int port,
            String username,
            String password,
            String masked,
            String raw,
            String rawPassword) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.masked = masked;
        this.raw = raw;
        this.rawPassword = rawPassword;
    }

    /**
     * Reads {@code url}.
     *
     * @param url the URL as configured, with any password percent-encoded
     * @return the parsed URL
     * @throws IllegalArgumentException when it is not a URL or could be read in more than one way; the message shows
     *     at most the scheme, never a password
     */
    public static StoreUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        int sep = url.indexOf("://");
        if (sep <= 0 || !SCHEME.matcher(url.substring(0, sep)).matches()) {
            throw new IllegalArgumentException("is not a URL (expected scheme://...; the value is not shown)");
        }
        String scheme = url.substring(0, sep);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // Not the JDK's reason: it quotes the input.
            throw ambiguous(scheme, "cannot be parsed");
        }
        String authority = uri.getRawAuthority();
        int ats = count(url, '@');
        if (ats > 1 || (ats == 1 && (authority == null || authority.indexOf('@') < 0))) {
            throw ambiguous(scheme, "has an @ that does not end the user-info");
        }
        String userInfo = null;
        String hostPart = authority == null ? "" : authority;
        if (authority != null && authority.indexOf('@') >= 0) {
            userInfo = authority.substring(0, authority.indexOf('@'));
            hostPart = authority.substring(authority.indexOf('@') + 1);
        }
        if (userInfo != null && count(userInfo, ':') > 1) {
            throw ambiguous(scheme, "has more than one : in the user-info");
        }
        boolean plain = scheme.equalsIgnoreCase("redis") || scheme.equalsIgnoreCase("rediss");
        if (plain && uri.getHost() == null) {
            throw ambiguous(scheme, "has no host that can be read");
        }
        if (plain && uri.getRawFragment() != null) {
            throw ambiguous(scheme, "has a # (a fragment)");
        }
        String username = null;
        String rawPassword = null;
        String maskedUserInfo = "";
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                username = colon == 0 ? null : decode(userInfo.substring(0, colon));
                rawPassword = userInfo.substring(colon + 1);
                maskedUserInfo = userInfo.substring(0, colon) + ":***@";
            } else {
                // redis://secret@host: a password alone, as Redis (before ACLs) and Lettuce read it.
                rawPassword = userInfo;
                maskedUserInfo = "***@";
            }
        }
        StringBuilder shown =
                new StringBuilder(scheme).append("://").append(maskedUserInfo).append(hostPart);
        if (uri.getRawPath() != null) {
            shown.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            shown.append('?').append(uri.getRawQuery());
        }
        if (uri.getRawFragment() != null) {
            shown.append('#').append(uri.getRawFragment());
        }
        return new StoreUrl(
                scheme,
                uri.getHost(),
                uri.getPort(),
                username,
                rawPassword == null ? null : decode(rawPassword),
                shown.toString(),
                url,
                rawPassword);
    }

    /**
     * The URL with its password masked, built from the parsed parts: {@code redis://:***@host:6379},
     * {@code redis://user:***@host}, {@code redis://***@host} (a password alone); a URL that cannot be read
     * unambiguously shows only its scheme ({@code redis://***}), a value that is no URL at all {@code ***}. An
     * {@code env://NAME} or {@code file:///path} reference (which names where the URL is, not the URL) is shown as
     * it is.
     *
     * @param url the URL, or null
     * @return the masked form, safe to log; null for null
     */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        if (url.startsWith("env://") || url.startsWith("file://")) {
            return url;
        }
        try {
            return parse(url).masked;
        } catch (IllegalArgumentException e) {
            int sep = url.indexOf("://");
            return sep > 0 && SCHEME.matcher(url.substring(0, sep)).matches()
                    ? url.substring(0, sep) + "://***"
                    : "***";
        }
    }

    private static IllegalArgumentException ambiguous(String scheme, String why) {
        return new IllegalArgumentException(
                scheme + "://*** " + why + ", so it cannot be read unambiguously (the URL is not shown: it may hold a"
                        + " password); " + ENCODE_HINT);
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }

    /** Percent-decoding as URIs define it (UTF-8; a {@code +} stays a plus). {@link URI} has checked the escapes. */
    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            if (raw.charAt(i) == '%' && i + 2 < raw.length()) {
                bytes.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 3;
            } else {
                int end = raw.indexOf('%', i + 1);
                byte[] plain = raw.substring(i, end < 0 ? raw.length() : end).getBytes(StandardCharsets.UTF_8);
                bytes.write(plain, 0, plain.length);
                i = end < 0 ? raw.length() : end;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * {@code message} (a client library's, which may quote the URL) with the URL replaced by its masked form and the
     * password, as written and decoded, by {@code ***}.
     *
     * @param message a message that may quote the URL or its password, or null
     * @return the message, safe to log; null for null
     */
    public String scrub(String message) {
        if (message == null) {
            return null;
        }
        String out = message.replace(raw, masked);
        if (rawPassword != null && !rawPassword.isEmpty()) {
            out = out.replace(rawPassword, "***").replace(password, "***");
        }
        return out;
    }

    /**
     * The scheme as written.
     *
     * @return {@code redis}, {@code rediss}, {@code redis-sentinel}, ...
     */
    public String scheme() {
        return scheme;
    }

    /**
     * The host.
     *
     * @return the host, or null when the authority is not a single host (Sentinel lists several)
     */
    public String host() {
        return host;
    }

    /**
     * The port.
     *
     * @return the port, or -1 when the URL names none
     */
    public int port() {
        return port;
    }

    /**
     * The user name.
     *
     * @return the percent-decoded user name, or null
     */
    public String username() {
        return username;
    }

    /**
     * The password. Never log it.
     *
     * @return the percent-decoded password, or null
     */
    public String password() {
        return password;
    }

    /**
     * The URL with its password masked; see {@link #mask(String)}.
     *
     * @return the masked URL, safe to log
     */
    public String masked() {
        return masked;
    }

    /** The masked URL. */
    @Override
    public String toString() {
        return masked;
    }
}
