import { yaml } from "@codemirror/lang-yaml";
import CodeMirror, { EditorView } from "@uiw/react-codemirror";

const EXTENSIONS = [yaml(), EditorView.lineWrapping];

/**
 * The syntax-highlighted, read-only text of one manifest. CodeMirror is ~400 kB, so this
 * module is loaded only when a manifest is first shown (ManifestViewer imports it lazily).
 */
export default function ManifestCode({ content, fileName, height }: { content: string; fileName: string; height: string }) {
  return (
    <CodeMirror
      value={content}
      extensions={EXTENSIONS}
      editable={false}
      readOnly
      height={height}
      basicSetup={{ foldGutter: true, highlightActiveLine: false, highlightActiveLineGutter: false }}
      aria-label={`Manifest ${fileName}`}
    />
  );
}
