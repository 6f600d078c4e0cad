customElements.define('herald-inbox', class extends HTMLElement {});
