import { CONTENT as C, objectShape, variantsShape, VERBATIM as V, type JsonShape } from '../assemble/json-shape';

// The known positions of the Anthropic objects the assembler copies whole (see openai/openai.shapes.ts for the
// rules): a `V` is stored verbatim, every other listed key keeps only its name, its value filtered.

/** An Anthropic citation (`citations_delta`): only its `type` is verbatim. */
export const CITATION_SHAPE: JsonShape = objectShape({
  type: V,
  cited_text: C,
  document_index: C,
  document_title: C,
  start_char_index: C,
  end_char_index: C,
  start_page_number: C,
  end_page_number: C,
  start_block_index: C,
  end_block_index: C,
  search_result_index: C,
  url: C,
  title: C,
  encrypted_index: C,
  source: C,
  file_id: C,
});

const TOOL_RESULT_BLOCK = objectShape({ type: V, tool_use_id: V, content: C, is_error: C });

/**
 * An Anthropic content block of a type not assembled from deltas (text, thinking and the tool-use
 * blocks are). Known result blocks keep `type` and `tool_use_id`; unknown block types are content.
 */
export const OTHER_BLOCK_SHAPE: JsonShape = variantsShape({
  redacted_thinking: objectShape({ type: V, data: C }),
  web_search_tool_result: TOOL_RESULT_BLOCK,
  web_fetch_tool_result: TOOL_RESULT_BLOCK,
  code_execution_tool_result: TOOL_RESULT_BLOCK,
  bash_code_execution_tool_result: TOOL_RESULT_BLOCK,
  text_editor_code_execution_tool_result: TOOL_RESULT_BLOCK,
  mcp_tool_result: TOOL_RESULT_BLOCK,
  container_upload: objectShape({ type: V, file_id: C }),
});
