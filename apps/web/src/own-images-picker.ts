/**
 * Shows the own-images section and resolves with the files the volunteer picks or drops. Called again with the
 * problem of the last pick (folders that are not classes of the run, too few images), it says what was wrong and
 * waits for another pick: the tab keeps its place in the run.
 */
export function pickOwnImages(problem?: string): Promise<File[]> {
  const section = document.getElementById('own-images')!;
  const input = document.getElementById('own-folder') as HTMLInputElement;
  const drop = document.getElementById('drop-zone')!;
  const problemText = document.getElementById('own-problem')!;
  section.hidden = false;
  input.disabled = false;
  input.value = '';
  drop.hidden = false;
  problemText.textContent = problem ? `${problem}. Pick again.` : '';
  problemText.hidden = !problem;
  document.getElementById('message')!.textContent = 'waiting for your images';
  const listening = new AbortController();
  const { signal } = listening;
  return new Promise((resolve) => {
    // The tab trains on one pick; after it, the picker is closed rather than left to ignore a second one.
    const picked = (files: File[]) => {
      listening.abort();
      input.disabled = true;
      drop.hidden = true;
      problemText.hidden = true;
      problemText.textContent = '';
      resolve(files);
    };
    input.addEventListener('change', () => input.files?.length && picked([...input.files]), { signal });
    drop.addEventListener(
      'dragover',
      (e) => {
        e.preventDefault();
        drop.classList.add('over');
      },
      { signal },
    );
    drop.addEventListener('dragleave', () => drop.classList.remove('over'), { signal });
    drop.addEventListener(
      'drop',
      (e) => {
        e.preventDefault();
        drop.classList.remove('over');
        void filesFromDrop(e.dataTransfer!).then((files) => files.length && picked(files));
      },
      { signal },
    );
  });
}

/** Walks dropped folders; each File gets its folder path so the class can be read from it. */
async function filesFromDrop(data: DataTransfer): Promise<File[]> {
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry, path: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      Object.defineProperty(file, 'webkitRelativePath', { value: `${path}${file.name}` });
      out.push(file);
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const child of batch) await walk(child, `${path}${entry.name}/`);
      }
    }
  };
  const entries = [...data.items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  for (const e of entries) await walk(e, '');
  return out;
}
