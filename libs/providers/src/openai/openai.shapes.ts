import { CONTENT as C, listShape, objectShape, variantsShape, VERBATIM as V, type JsonShape } from '../assemble/json-shape';

// The known positions of the provider objects the assembler copies whole. A `V` is one of the few
// places where a string is stored verbatim (ids and enums the provider generates); every other
// listed key only keeps its name, its value filtered. Anything not listed here is content.

/** Token counts: OpenAI Chat Completions and Responses `usage`. */
const TOKEN_DETAILS = objectShape({
  cached_tokens: C,
  audio_tokens: C,
  reasoning_tokens: C,
  accepted_prediction_tokens: C,
  rejected_prediction_tokens: C,
});

/** An OpenAI `usage` object (chat or Responses): fixed keys, numbers. */
export const USAGE_SHAPE: JsonShape = objectShape({
  prompt_tokens: C,
  completion_tokens: C,
  input_tokens: C,
  output_tokens: C,
  total_tokens: C,
  prompt_tokens_details: TOKEN_DETAILS,
  completion_tokens_details: TOKEN_DETAILS,
  input_tokens_details: TOKEN_DETAILS,
  output_tokens_details: TOKEN_DETAILS,
});

/** A Responses `output_text` annotation (url, file and container file citations, file paths). */
export const ANNOTATION_SHAPE: JsonShape = objectShape({
  type: V,
  start_index: C,
  end_index: C,
  index: C,
  url: C,
  title: C,
  file_id: C,
  filename: C,
  container_id: C,
});

const MESSAGE_PART = variantsShape({
  output_text: objectShape({ type: V, text: C, annotations: listShape(ANNOTATION_SHAPE), logprobs: C }),
  refusal: objectShape({ type: V, refusal: C }),
});

/** A reasoning summary or content part. */
const TEXT_PART = objectShape({ type: V, text: C });

/** An output item: `type`, `id`, `status` verbatim, plus `extra`. */
function item(extra: Readonly<Record<string, JsonShape>>): JsonShape {
  return objectShape({ type: V, id: V, status: V, ...extra });
}

/**
 * A Responses API output item. Only a function call's `name` (the tool name) is verbatim; MCP and
 * custom tool names, code, queries, arguments and outputs are content. Unknown item types are content.
 */
export const OUTPUT_ITEM_SHAPE: JsonShape = variantsShape({
  message: item({ role: V, content: listShape(MESSAGE_PART) }),
  function_call: item({ call_id: V, name: V, arguments: C }),
  reasoning: item({ summary: listShape(TEXT_PART), content: listShape(TEXT_PART), encrypted_content: C }),
  web_search_call: item({ action: objectShape({ type: V, query: C, url: C, pattern: C, sources: C }) }),
  file_search_call: item({ queries: C, results: C }),
  code_interpreter_call: item({ code: C, container_id: C, outputs: C }),
  image_generation_call: item({
    result: C,
    revised_prompt: C,
    background: C,
    output_format: C,
    quality: C,
    size: C,
  }),
  computer_call: item({ call_id: V, action: C, pending_safety_checks: C }),
  local_shell_call: item({ call_id: V, action: C }),
  custom_tool_call: item({ call_id: V, name: C, input: C }),
  mcp_call: item({ server_label: C, name: C, arguments: C, output: C, error: C, approval_request_id: C }),
  mcp_list_tools: item({ server_label: C, tools: C, error: C }),
  mcp_approval_request: item({ server_label: C, name: C, arguments: C }),
});

/** The `output` array of a Responses object. */
export const RESPONSE_OUTPUT_SHAPE: JsonShape = listShape(OUTPUT_ITEM_SHAPE);

/**
 * A Responses API `response` object (of a terminal event). The echoed request fields —
 * `instructions`, `metadata`, `prompt.variables`, `tools`, `user`… — are content.
 */
export const RESPONSE_SHAPE: JsonShape = objectShape({
  id: V,
  object: V,
  created_at: C,
  completed_at: C,
  status: V,
  model: V,
  error: objectShape({ code: V, message: C }),
  incomplete_details: objectShape({ reason: V }),
  output: RESPONSE_OUTPUT_SHAPE,
  usage: USAGE_SHAPE,
  previous_response_id: V,
  service_tier: V,
  truncation: V,
  // A mode string ('auto', 'none', 'required') or an object naming a tool (its name is content).
  tool_choice: { ...objectShape({ type: V, mode: V, name: C, server_label: C, tools: C }), verbatim: true },
  reasoning: objectShape({ effort: V, summary: V, generate_summary: V }),
  text: objectShape({
    format: objectShape({ type: V, name: C, description: C, schema: C, strict: C }),
    verbosity: V,
  }),
  tools: listShape(objectShape({ type: V, name: C, description: C, parameters: C, strict: C })),
  conversation: objectShape({ id: V }),
  prompt: objectShape({ id: V, version: C, variables: C }),
  instructions: C,
  metadata: C,
  user: C,
  safety_identifier: C,
  prompt_cache_key: C,
  prompt_cache_retention: C,
  parallel_tool_calls: C,
  store: C,
  background: C,
  temperature: C,
  top_p: C,
  top_logprobs: C,
  max_output_tokens: C,
  max_tool_calls: C,
  output_text: C,
});
