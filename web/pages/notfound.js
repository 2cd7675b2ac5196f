// The page for an office that does not exist.
import { start } from '../common/page.js?v=@BUILD@';

start('notfound.title');
document.body.dataset.ready = 'yes';
