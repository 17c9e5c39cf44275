/** Shows the own-images section and resolves with the files the volunteer picks or drops. */
export function pickOwnImages(): Promise<File[]> {
  const section = document.getElementById('own-images')!;
  const input = document.getElementById('own-folder') as HTMLInputElement;
  const drop = document.getElementById('drop-zone')!;
  section.hidden = false;
  document.getElementById('message')!.textContent = 'waiting for your images';
  return new Promise((resolve) => {
    // The tab trains on one pick; after it, the picker is closed rather than left to ignore a second one.
    const picked = (files: File[]) => {
      input.disabled = true;
      drop.hidden = true;
      resolve(files);
    };
    input.addEventListener('change', () => {
      if (input.files?.length) picked([...input.files]);
    });
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      void filesFromDrop(e.dataTransfer!).then((files) => files.length && picked(files));
    });
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
