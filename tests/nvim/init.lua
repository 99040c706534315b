-- A minimal Neovim configuration for tests/test_neovim.py. It starts `fastapi-asynclint server` for the file
-- given on the command line, waits for the diagnostics, applies the `source.fixAll.fastapi-asynclint` code
-- action to the buffer, writes both as JSON and quits:
--
--   {"diagnostics": vim.diagnostic.get() before the fix, "fixed": the buffer's text after it}
--
-- It runs on Neovim 0.7 (Debian 12) as well as later versions: vim.lsp.start only exists since 0.8, so
-- the client is started with vim.lsp.start_client and attached with vim.lsp.buf_attach_client.
--
-- Environment: FAL_PYTHON        the interpreter that has fastapi_asynclint installed (default: python3)
--              FAL_NVIM_OUT      where to write the JSON (default: nvim-result.json in the current folder)
--              FAL_NVIM_WAIT_MS  how long to wait for diagnostics (default: 30000)

local python = os.getenv("FAL_PYTHON") or "python3"
local out = os.getenv("FAL_NVIM_OUT") or "nvim-result.json"
local wait_ms = tonumber(os.getenv("FAL_NVIM_WAIT_MS") or "30000")
local FIX_ALL = "source.fixAll.fastapi-asynclint"

local function fix_all(client, bufnr)
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = { diagnostics = {}, only = { FIX_ALL } }
  local response = client.request_sync("textDocument/codeAction", params, wait_ms, bufnr)
  for _, action in ipairs((response and response.result) or {}) do
    if not action.edit then -- the server computes the edit on codeAction/resolve
      local resolved = client.request_sync("codeAction/resolve", action, wait_ms, bufnr)
      action = (resolved and resolved.result) or action
    end
    if action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
    end
  end
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n") .. "\n"
end

vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    local bufnr = vim.api.nvim_get_current_buf()
    local client_id = vim.lsp.start_client({
      name = "fastapi-asynclint",
      cmd = { python, "-m", "fastapi_asynclint", "server" },
      root_dir = vim.fn.getcwd(),
    })
    vim.lsp.buf_attach_client(bufnr, client_id)
    vim.wait(wait_ms, function()
      return #vim.diagnostic.get(bufnr) > 0
    end, 50)
    local diagnostics = vim.diagnostic.get(bufnr)
    fix_all(vim.lsp.get_client_by_id(client_id), bufnr)
    vim.fn.writefile({ vim.json.encode({ diagnostics = diagnostics, fixed = buffer_text(bufnr) }) }, out)
    vim.lsp.stop_client(client_id)
    vim.cmd("qall!")
  end,
})
