package dev.llmrotate.springai;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.ai.support.ToolCallbacks;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;

/** A {@code @Tool} for the tests: the weather of a city, with the cities it was asked for. */
class Weather {
    final List<String> cities = new CopyOnWriteArrayList<>();

    @Tool(name = "get_weather", description = "Current weather for a city")
    String getWeather(@ToolParam(description = "the city's name") String city) {
        cities.add(city);
        return "18 C, sunny in " + city;
    }

    /** The tool as Spring AI's callbacks. */
    List<ToolCallback> callbacks() {
        return List.of(ToolCallbacks.from(this));
    }
}
