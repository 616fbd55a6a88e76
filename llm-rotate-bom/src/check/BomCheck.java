import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks llm-rotate-bom against the build, run by the BOM's own build ({@code java BomCheck.java <root>}): its
 * dependencyManagement names exactly the modules the build publishes (those of the root POM whose groupId is
 * dev.llmrotate and that do not set maven.deploy.skip), each at ${project.version}; it has no parent and the root's
 * version; and its publication metadata (url, licences, scm, developers, ...) is the root POM's. Exits 1 with every
 * difference named.
 */
public final class BomCheck {

    private static final String GROUP = "dev.llmrotate";
    private static final String BOM = "llm-rotate-bom";
    private static final List<String> METADATA =
            List.of("url", "inceptionYear", "organization", "licenses", "developers", "scm", "issueManagement");

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Element parent = read(root.resolve("pom.xml"));
        Element bom = read(root.resolve(BOM).resolve("pom.xml"));
        List<String> problems = new ArrayList<>();

        TreeSet<String> published = new TreeSet<>();
        for (Element module : children(child(parent, "modules"), "module")) {
            Element pom = read(root.resolve(module.getTextContent().trim()).resolve("pom.xml"));
            String artifactId = text(pom, "artifactId");
            String groupId = text(pom, "groupId") != null ? text(pom, "groupId") : text(child(pom, "parent"), "groupId");
            boolean skipped = "true".equals(text(child(pom, "properties"), "maven.deploy.skip"));
            if (GROUP.equals(groupId) && !skipped && !BOM.equals(artifactId)) {
                published.add(artifactId);
            }
        }

        TreeSet<String> listed = new TreeSet<>();
        for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
            String id = text(dependency, "groupId") + ":" + text(dependency, "artifactId");
            if (!GROUP.equals(text(dependency, "groupId"))) {
                problems.add(id + " is not ours: a BOM that manages other projects' artifacts overrides the user's");
            }
            if (!"${project.version}".equals(text(dependency, "version"))) {
                problems.add(id + " has version " + text(dependency, "version") + ", not ${project.version}");
            }
            boolean main = text(dependency, "type") == null && text(dependency, "classifier") == null;
            if (main) {
                listed.add(text(dependency, "artifactId"));
            } else if (!published.contains(text(dependency, "artifactId"))) {
                problems.add(id + " (" + text(dependency, "type") + ") belongs to a module that is not published");
            }
        }
        TreeSet<String> missing = new TreeSet<>(published);
        missing.removeAll(listed);
        TreeSet<String> extra = new TreeSet<>(listed);
        extra.removeAll(published);
        if (!missing.isEmpty()) {
            problems.add("published but not in the BOM: " + missing);
        }
        if (!extra.isEmpty()) {
            problems.add("in the BOM but not published (no such module, or it sets maven.deploy.skip): " + extra);
        }

        if (child(bom, "parent") != null) {
            problems.add("the BOM has a parent, whose dependencyManagement would be imported with it");
        }
        if (!Objects.equals(text(bom, "groupId"), text(parent, "groupId"))
                || !Objects.equals(text(bom, "version"), text(parent, "version"))) {
            problems.add("the BOM is " + text(bom, "groupId") + ":" + text(bom, "version") + ", the build "
                    + text(parent, "groupId") + ":" + text(parent, "version"));
        }
        for (String name : METADATA) {
            String expected = flat(child(parent, name));
            if (expected == null || !expected.equals(flat(child(bom, name)))) {
                problems.add("<" + name + "> differs from the root POM's (or is missing)");
            }
        }

        if (!problems.isEmpty()) {
            problems.forEach(problem -> System.err.println("llm-rotate-bom: " + problem));
            System.exit(1);
        }
        System.out.println("llm-rotate-bom lists the " + published.size() + " published modules: " + published);
    }

    private static Element read(Path pom) throws Exception {
        if (!Files.isRegularFile(pom)) {
            throw new IllegalStateException("no POM at " + pom);
        }
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent != null) {
            for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof Element element && element.getTagName().equals(name)) {
                    found.add(element);
                }
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        return element == null ? null : element.getTextContent().trim();
    }

    /** An element's text content and child structure, whitespace and attributes aside. */
    private static String flat(Element element) {
        if (element == null) {
            return null;
        }
        StringBuilder out = new StringBuilder("<" + element.getTagName() + ">");
        boolean hasChildren = false;
        for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child) {
                out.append(flat(child));
                hasChildren = true;
            }
        }
        if (!hasChildren) {
            out.append(element.getTextContent().trim());
        }
        return out.append("</>").toString();
    }
}
