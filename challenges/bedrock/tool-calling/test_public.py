"""Public tests: run `pytest` here. The hidden graders check much more."""

from tools import ToolRegistry, tool_results_message

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}


def weather(city):
    return {"city": city, "sky": "clear"}


def test_dispatch_success():
    registry = ToolRegistry()
    registry.register("get_weather", weather, "Current weather.", SCHEMA)
    result = registry.dispatch(
        {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Oslo"}}
    )
    assert result["toolResult"]["status"] == "success"
    assert result["toolResult"]["content"] == [
        {"json": {"city": "Oslo", "sky": "clear"}}
    ]


def test_dispatch_missing_property():
    registry = ToolRegistry()
    registry.register("get_weather", weather, "Current weather.", SCHEMA)
    result = registry.dispatch({"toolUseId": "t1", "name": "get_weather", "input": {}})
    assert result["toolResult"]["status"] == "error"


def test_results_message_role():
    registry = ToolRegistry()
    registry.register("get_weather", weather, "Current weather.", SCHEMA)
    use = {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Rome"}}
    message = tool_results_message(
        {"role": "assistant", "content": [{"toolUse": use}]}, registry
    )
    assert message["role"] == "user" and len(message["content"]) == 1
