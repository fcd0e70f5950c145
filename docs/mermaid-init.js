// Draws the book's ```mermaid blocks as diagrams; GitHub draws the same blocks on its own.
// mdBook turns such a block into <pre><code class="language-mermaid">. On a page that has one,
// this script loads the copy of mermaid that the book carries (src/mermaid/mermaid.tiny.js:
// @mermaid-js/tiny 12.0.0, MIT licence, from the npm registry) and puts a drawing in place of
// each block. Pages without diagrams load nothing more. The maintainer guide says how to update
// it ("Diagrams").
(function () {
    "use strict";
    const blocks = document.querySelectorAll("code.language-mermaid");
    if (blocks.length === 0) {
        return;
    }
    const darkThemes = ["coal", "navy", "ayu"];
    const dark = darkThemes.some((name) => document.documentElement.classList.contains(name));
    const script = document.createElement("script");
    script.src = path_to_root + "mermaid/mermaid.tiny.js";
    script.onload = function () {
        const diagrams = Array.from(blocks, function (code) {
            const diagram = document.createElement("pre");
            diagram.className = "mermaid";
            diagram.textContent = code.textContent;
            code.parentElement.replaceWith(diagram);
            return diagram;
        });
        mermaid.initialize({ startOnLoad: false, theme: dark ? "dark" : "default" });
        mermaid.run({ nodes: diagrams });
    };
    document.head.appendChild(script);
})();
