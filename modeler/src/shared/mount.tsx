/** Starts an app: finishes an OIDC sign-in coming back from the issuer, then renders into `#app`. */
import { render, type ComponentType } from 'preact';
import './styles.css';
import { completeOidcLogin } from './oidc.js';

export function mount(App: ComponentType): void {
  const root = document.getElementById('app');
  if (!root) throw new Error('Expected an element #app in the page, but there is none.');
  completeOidcLogin()
    .catch((error: unknown) => console.error(error))
    .finally(() => render(<App />, root));
}
