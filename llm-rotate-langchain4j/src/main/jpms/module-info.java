/**
 * LangChain4j chat models over llm-rotate. Compiled in the build to prove that the module uses core's API only; the
 * jar ships without it (LangChain4j has no module name of its own yet), as the automatic module {@code
 * dev.llmrotate.langchain4j}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.llmrotate.langchain4j {
    requires transitive dev.llmrotate.core;
    requires transitive langchain4j.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.llmrotate.langchain4j;
}
