package dev.llmrotate.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmrotate.config.StateStoreSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Redis URLs read with {@link java.net.URI}: a password with a raw {@code # ? @ / :} (or a stray {@code %}) is refused
 * without being shown, a percent-encoded one is decoded, and masks are built from the parsed parts.
 */
class StoreUrlTest {
    private static final String TAIL = "Zq4Rb6Tn1Vc5";

    @ParameterizedTest
    @ValueSource(strings = {"#", "?", "@", "/", ":", "%"})
    void aPasswordWithARawSpecialCharacterIsRefusedWithoutShowingIt(String special) {
        String password = "pw" + special + TAIL;
        List<String> urls = new ArrayList<>(List.of(
                "redis://:" + password + "@redis.internal:6379/0", "redis://app:" + password + "@redis.internal:6379"));
        if (!special.equals(":")) {
            // A password alone with a colon reads as user:password: nothing can tell, so that form is not refused.
            urls.add("rediss://" + password + "@redis.internal");
        }
        for (String url : urls) {
            IllegalArgumentException e =
                    catchThrowableOfType(IllegalArgumentException.class, () -> StoreUrl.parse(url));

            assertThat(e).as(url).isNotNull();
            assertThat(e.getMessage())
                    .as(url)
                    .contains("://***")
                    .contains("percent-encode")
                    .doesNotContain(TAIL)
                    .doesNotContain("redis.internal");
            assertThat(StoreUrl.mask(url)).as(url).endsWith("://***");
            assertThat(StateStoreSettings.redis(url).toString()).as(url).doesNotContain(TAIL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "?", "@", "/", ":", "%"})
    void aPercentEncodedPasswordIsDecoded(String special) {
        String encoded = java.net.URLEncoder.encode(special, java.nio.charset.StandardCharsets.UTF_8);
        StoreUrl url = StoreUrl.parse("redis://app:pw" + encoded + TAIL + "@redis.internal:6380/2?timeout=1s");

        assertThat(url.password()).isEqualTo("pw" + special + TAIL);
        assertThat(url.username()).isEqualTo("app");
        assertThat(url.host()).isEqualTo("redis.internal");
        assertThat(url.port()).isEqualTo(6380);
        assertThat(url.masked()).isEqualTo("redis://app:***@redis.internal:6380/2?timeout=1s");
        assertThat(url.toString()).doesNotContain(TAIL);
    }

    @Test
    void aPlusStaysAPlusAndUtf8IsDecoded() {
        assertThat(StoreUrl.parse("redis://:a+b%C3%BC@h").password()).isEqualTo("a+bü");
        assertThat(StoreUrl.parse("redis://secret@h").password()).isEqualTo("secret");
        assertThat(StoreUrl.parse("redis://secret@h").username()).isNull();
        assertThat(StoreUrl.parse("redis://h:6379").password()).isNull();
    }

    @Test
    void masksAreBuiltFromTheParsedParts() {
        assertThat(StoreUrl.mask("redis://:pass@host:6379")).isEqualTo("redis://:***@host:6379");
        assertThat(StoreUrl.mask("redis://user:pass@host/0")).isEqualTo("redis://user:***@host/0");
        assertThat(StoreUrl.mask("redis://pass@host")).isEqualTo("redis://***@host");
        assertThat(StoreUrl.mask("redis-sentinel://:pw@s1:26379,s2:26379?sentinelMasterId=m"))
                .isEqualTo("redis-sentinel://:***@s1:26379,s2:26379?sentinelMasterId=m");
        assertThat(StoreUrl.mask("redis-sentinel://:pw@s1:26379,s2:26379/0#mymaster"))
                .isEqualTo("redis-sentinel://:***@s1:26379,s2:26379/0#mymaster");
        assertThat(StoreUrl.mask("redis://[::1]:6379")).isEqualTo("redis://[::1]:6379");
        assertThat(StoreUrl.mask("env://REDIS_URL")).isEqualTo("env://REDIS_URL");
        assertThat(StoreUrl.mask("file:///run/secrets/redis url")).isEqualTo("file:///run/secrets/redis url");
        assertThat(StoreUrl.mask("not a url, maybe a password")).isEqualTo("***");
        assertThat(StoreUrl.mask(null)).isNull();
    }

    @Test
    void aUrlWithoutAHostOrWithAFragmentIsRefused() {
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> StoreUrl.parse("redis:///0")))
                .hasMessageContaining("no host");
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> StoreUrl.parse("redis://h:6379#x")))
                .hasMessageContaining("a fragment");
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> StoreUrl.parse("localhost:6379")))
                .hasMessage("is not a URL (expected scheme://...; the value is not shown)");
    }
}
