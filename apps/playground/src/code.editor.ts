import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';

const MONO = 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace';

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13.5px', backgroundColor: '#fff' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: MONO, lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: '#f5f6f8', borderRight: '1px solid #d8dce3', color: '#8a93a3' },
});

/**
 * The Python editor: CodeMirror 6 with Python highlighting, indentation and undo.
 *
 * It lives in a shadow root because of the page's CSP (style-src 'self', no
 * inline styles): in a document CodeMirror adds its styles as a <style>
 * element, which that policy blocks; in a shadow root it uses a constructed
 * stylesheet, which no policy blocks and no markup can reach.
 */
export class CodeEditor {
  private readonly view: EditorView;

  constructor(host: HTMLElement, initial: string) {
    const root = host.attachShadow({ mode: 'open' });
    this.view = new EditorView({
      parent: root,
      root,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle),
          python(),
          theme,
          // Tab indents, as in any code editor; Escape then Tab leaves the editor (CodeMirror's own rule).
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ 'aria-label': 'Python code', spellcheck: 'false' }),
        ],
      }),
    });
  }

  get code(): string {
    return this.view.state.doc.toString();
  }

  focus(): void {
    this.view.focus();
  }
}
