package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The exported surface of core, the API users write against and the SPI they implement, is what the checked-in list
 * {@code src/test/resources/api/llm-rotate-core.api} says: every public type of an exported package with its public
 * and protected members. A change to the surface is therefore a diff of that file in review. After a deliberate
 * change, rewrite the list with {@code ./mvnw -pl llm-rotate-core -am test -Dtest=ApiSurfaceTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dapi.update=true} and commit it with the change.
 *
 * <p>The exported packages are read from the module descriptor itself, and no public or protected signature in them
 * may name a type from a package the descriptor does not export (an internal type leaking through the API).
 */
class ApiSurfaceTest {
    private static final Path CHECKED_IN = Path.of("src/test/resources/api/llm-rotate-core.api");
    private static final Pattern OWN_TYPE = Pattern.compile("dev\\.llmrotate(?:\\.[a-z]\\w*)*\\.[A-Z][\\w$]*");

    @Test
    void exportedSurfaceMatchesTheCheckedInList() throws Exception {
        String actual = String.join("\n", surface()) + "\n";
        if (Boolean.getBoolean("api.update")) {
            Files.writeString(CHECKED_IN, actual, StandardCharsets.UTF_8);
        }
        String expected = Files.exists(CHECKED_IN) ? Files.readString(CHECKED_IN, StandardCharsets.UTF_8) : "";
        assertThat(actual)
                .as(
                        "the exported API/SPI changed; if on purpose, rerun with -Dapi.update=true and commit %s",
                        CHECKED_IN)
                .isEqualTo(expected);
    }

    @Test
    void noExportedSignatureNamesAnInternalType() throws Exception {
        Set<String> exported = exportedPackages();
        List<String> leaks = new ArrayList<>();
        for (String line : surface()) {
            Matcher m = OWN_TYPE.matcher(line);
            while (m.find()) {
                String type = m.group();
                String pkg = type.substring(0, type.lastIndexOf('.'));
                if (!exported.contains(pkg)) {
                    leaks.add(type + " in: " + line.trim());
                }
            }
        }
        assertThat(leaks)
                .as("types from unexported packages in exported signatures")
                .isEmpty();
    }

    @Test
    void theDescriptorExportsApiAndSpiAndNothingInternal() throws Exception {
        assertThat(exportedPackages())
                .containsExactlyInAnyOrder(
                        "dev.llmrotate",
                        "dev.llmrotate.chat",
                        "dev.llmrotate.config",
                        "dev.llmrotate.error",
                        "dev.llmrotate.health",
                        "dev.llmrotate.observe",
                        "dev.llmrotate.spi");
        Path root = classesRoot();
        try (Stream<Path> files = Files.walk(root)) {
            Set<String> packages = files.filter(p -> p.toString().endsWith(".class"))
                    .map(p -> root.relativize(p.getParent()).toString().replace('/', '.'))
                    .filter(p -> p.startsWith("dev.llmrotate"))
                    .collect(Collectors.toCollection(TreeSet::new));
            packages.removeAll(exportedPackages());
            assertThat(packages)
                    .as("every package not exported is internal")
                    .allMatch(p -> p.startsWith("dev.llmrotate.internal."));
        }
    }

    private static Path classesRoot() throws URISyntaxException {
        return Path.of(LlmRotate.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    }

    private static Set<String> exportedPackages() throws IOException, URISyntaxException {
        try (InputStream in = Files.newInputStream(classesRoot().resolve("module-info.class"))) {
            ModuleDescriptor descriptor = ModuleDescriptor.read(in);
            assertThat(descriptor.name()).isEqualTo("dev.llmrotate.core");
            return descriptor.exports().stream()
                    .filter(e -> !e.isQualified())
                    .map(ModuleDescriptor.Exports::source)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** One line per exported public type and per public or protected member, in a stable order. */
    private static List<String> surface() throws Exception {
        List<String> lines = new ArrayList<>();
        Path root = classesRoot();
        for (String pkg : exportedPackages()) {
            Path dir = root.resolve(pkg.replace('.', '/'));
            List<String> names;
            try (Stream<Path> files = Files.list(dir)) {
                names = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
                        .map(n -> pkg + "." + n.substring(0, n.length() - ".class".length()))
                        .sorted()
                        .toList();
            }
            for (String name : names) {
                Class<?> type = Class.forName(name, false, ApiSurfaceTest.class.getClassLoader());
                if (isVisible(type)) {
                    describe(type, lines);
                }
            }
        }
        return lines;
    }

    /** Public, and reachable from outside: every enclosing type public too; anonymous and local types are not. */
    private static boolean isVisible(Class<?> type) {
        if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
            return false;
        }
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static void describe(Class<?> type, List<String> lines) {
        // JDK 17 leaves "sealed" out of toGenericString() and later JDKs put it in: the permitted types say it instead.
        StringBuilder header = new StringBuilder(
                type.toGenericString().replace("non-sealed ", "").replace("sealed ", ""));
        if (type.getGenericSuperclass() != null
                && type.getSuperclass() != Object.class
                && type.getSuperclass() != Record.class
                && type.getSuperclass() != Enum.class) {
            header.append(" extends ").append(type.getGenericSuperclass().getTypeName());
        }
        if (type.getGenericInterfaces().length > 0) {
            header.append(type.isInterface() ? " extends " : " implements ")
                    .append(Stream.of(type.getGenericInterfaces())
                            .map(java.lang.reflect.Type::getTypeName)
                            .collect(Collectors.joining(", ")));
        }
        if (type.isSealed()) {
            header.append(" permits ")
                    .append(Stream.of(type.getPermittedSubclasses())
                            .map(Class::getName)
                            .sorted()
                            .collect(Collectors.joining(", ")));
        }
        lines.add(header.toString());
        TreeSet<String> members = new TreeSet<>();
        String prefix = type.getName() + ".";
        for (Field f : type.getDeclaredFields()) {
            if (exposed(f.getModifiers()) && !f.isSynthetic()) {
                members.add("  field " + f.toGenericString().replace(prefix, ""));
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (exposed(c.getModifiers()) && !c.isSynthetic()) {
                members.add("  constructor " + c.toGenericString());
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (exposed(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                members.add("  method " + m.toGenericString().replace(prefix, ""));
            }
        }
        lines.addAll(members);
    }

    private static boolean exposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }
}
